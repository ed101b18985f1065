using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>What DescribeStreamSummary says about a stream.</summary>
public sealed record StreamSummary(
    string StreamName,
    string StreamArn,
    string Status,
    int OpenShardCount,
    int RetentionPeriodHours,
    DateTimeOffset? CreatedAt)
{
    public bool IsActive => Status == "ACTIVE";
}

/// <summary>Stream set-up for local runs and tests: create, describe, wait until ACTIVE.</summary>
public sealed class KinesisStreamAdmin
{
    private readonly KinesisClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KinesisStreamAdmin(KinesisClient client, TimeProvider time, ILogger<KinesisStreamAdmin>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
        _logger = logger ?? NullLogger<KinesisStreamAdmin>.Instance;
    }

    /// <summary>Creates the configured stream with <see cref="KinesisOptions.ShardCount"/> shards. Throws <see cref="ResourceInUseException"/> if it exists.</summary>
    public async Task CreateStreamAsync(CancellationToken cancellationToken)
    {
        int shardCount = _client.Options.ShardCount;
        await _client.SendAsync(
            "CreateStream",
            (Stream: _client.StreamName, Shards: shardCount),
            static (writer, s) =>
            {
                writer.WriteString("StreamName"u8, s.Stream);
                writer.WriteNumber("ShardCount"u8, s.Shards);
            },
            static (_, _) => true,
            cancellationToken).ConfigureAwait(false);
        KinesisLog.StreamCreated(_logger, _client.StreamName, shardCount);
    }

    /// <summary>Resharding (operations and tests): splits a shard at a hash key; the stream is UPDATING until done.</summary>
    public Task SplitShardAsync(string shardId, string newStartingHashKey, CancellationToken cancellationToken) =>
        _client.SendAsync(
            "SplitShard",
            (Stream: _client.StreamName, Shard: shardId, Key: newStartingHashKey),
            static (writer, s) =>
            {
                writer.WriteString("StreamName"u8, s.Stream);
                writer.WriteString("ShardToSplit"u8, s.Shard);
                writer.WriteString("NewStartingHashKey"u8, s.Key);
            },
            static (_, _) => true,
            cancellationToken);

    /// <summary>Resharding (operations and tests): merges two adjacent shards.</summary>
    public Task MergeShardsAsync(string shardId, string adjacentShardId, CancellationToken cancellationToken) =>
        _client.SendAsync(
            "MergeShards",
            (Stream: _client.StreamName, Shard: shardId, Adjacent: adjacentShardId),
            static (writer, s) =>
            {
                writer.WriteString("StreamName"u8, s.Stream);
                writer.WriteString("ShardToMerge"u8, s.Shard);
                writer.WriteString("AdjacentShardToMerge"u8, s.Adjacent);
            },
            static (_, _) => true,
            cancellationToken);

    public Task<StreamSummary> DescribeStreamSummaryAsync(CancellationToken cancellationToken) =>
        _client.SendAsync(
            "DescribeStreamSummary",
            _client.StreamName,
            static (writer, stream) => writer.WriteString("StreamName"u8, stream),
            static (root, _) =>
            {
                JsonElement d = root.GetProperty("StreamDescriptionSummary"u8);
                return new StreamSummary(
                    d.GetProperty("StreamName"u8).GetString()!,
                    d.TryGetProperty("StreamARN"u8, out JsonElement arn) ? arn.GetString() ?? "" : "",
                    d.GetProperty("StreamStatus"u8).GetString()!,
                    d.TryGetProperty("OpenShardCount"u8, out JsonElement open) ? open.GetInt32() : 0,
                    d.TryGetProperty("RetentionPeriodHours"u8, out JsonElement retention) ? retention.GetInt32() : 0,
                    d.TryGetProperty("StreamCreationTimestamp"u8, out JsonElement created) && created.ValueKind != JsonValueKind.Null
                        ? KinesisShardReader.EpochSeconds(created)
                        : null);
            },
            cancellationToken);

    /// <summary>
    /// Polls until the stream is ACTIVE; <see cref="StreamUnavailableException"/> after <paramref name="timeout"/>.
    /// A stream server that does not answer (slow or restarting) is asked again until then.
    /// </summary>
    public async Task<StreamSummary> WaitUntilActiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        var backoff = new Backoff(_client.Options.StatusPollInterval, TimeSpan.FromSeconds(5));
        while (true)
        {
            StreamSummary? summary = await UntilAnsweredAsync(DescribeStreamSummaryAsync, started, timeout, backoff, cancellationToken).ConfigureAwait(false);
            if (summary.IsActive)
            {
                return summary;
            }

            if (_time.GetElapsedTime(started) >= timeout)
            {
                throw new StreamUnavailableException($"Stream {summary.StreamName} still {summary.Status} after {timeout}.");
            }

            KinesisLog.WaitingForStream(_logger, summary.StreamName, summary.Status);
            await Task.Delay(_client.Options.StatusPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates the stream unless it exists, then waits until it is ACTIVE, all within <paramref name="timeout"/>.
    /// For local set-up: a node starting while the stream server is briefly slow (a busy kinesalite) waits
    /// for it rather than failing its start.
    /// </summary>
    public async Task<StreamSummary> EnsureStreamAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        var backoff = new Backoff(_client.Options.StatusPollInterval, TimeSpan.FromSeconds(5));
        try
        {
            await UntilAnsweredAsync(async ct => { await CreateStreamAsync(ct).ConfigureAwait(false); return true; },
                started, timeout, backoff, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // Already there (or being created by a peer, or by our own attempt that timed out): just wait for it.
        }

        TimeSpan left = timeout - _time.GetElapsedTime(started);
        return await WaitUntilActiveAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="call"/> again after <see cref="StreamUnavailableException"/> until <paramref name="timeout"/> since <paramref name="started"/>.</summary>
    private async Task<T> UntilAnsweredAsync<T>(Func<CancellationToken, Task<T>> call, long started, TimeSpan timeout, Backoff backoff,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (StreamUnavailableException ex) when (_time.GetElapsedTime(started) < timeout)
            {
                KinesisLog.StreamNotAnswering(_logger, _client.StreamName, ex.Message);
                await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
