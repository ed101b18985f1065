using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;
using static Sendy.Engine.Tests.Streams.Kinesis.KinesaliteTestHelpers;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>Stream set-up, shard listing and error mapping against the real kinesalite.</summary>
public sealed class KinesaliteStreamTests(KinesaliteFixture stream) : IClassFixture<KinesaliteFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task created_stream_is_described_active_with_its_shard_count()
    {
        StreamSummary summary = await stream.Admin.DescribeStreamSummaryAsync(None);

        Assert.Equal(stream.StreamName, summary.StreamName);
        Assert.Equal("ACTIVE", summary.Status);
        Assert.Equal(KinesaliteFixture.ShardCount, summary.OpenShardCount);
        Assert.Contains(stream.StreamName, summary.StreamArn);
        Assert.True(summary.RetentionPeriodHours >= 24);
        Assert.InRange(summary.CreatedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task list_shards_returns_every_open_shard_once()
    {
        IReadOnlyList<ShardDescription> shards = await stream.Reader.ListShardsAsync(None);

        Assert.Equal(KinesaliteFixture.ShardCount, shards.Count);
        Assert.Equal(shards.Count, shards.Select(s => s.ShardId).Distinct().Count());
        Assert.All(shards, s =>
        {
            Assert.StartsWith("shardId-", s.ShardId);
            Assert.False(s.IsClosed);
            Assert.Empty(s.ParentShardIds);
            Assert.False(string.IsNullOrEmpty(s.StartingSequenceNumber));
        });
    }

    [Fact]
    public async Task creating_an_existing_stream_is_resource_in_use()
    {
        await Assert.ThrowsAsync<ResourceInUseException>(() => stream.Admin.CreateStreamAsync(None));
    }

    [Fact]
    public async Task ensure_stream_tolerates_an_existing_stream()
    {
        StreamSummary summary = await stream.Admin.EnsureStreamAsync(TimeSpan.FromSeconds(5), None);
        Assert.True(summary.IsActive);
    }

    [Fact]
    public async Task unknown_stream_is_resource_not_found_for_every_operation()
    {
        KinesisClient missing = KinesaliteFixture.CreateClient("sendy-missing-" + Guid.NewGuid().ToString("N")[..8]);

        var describe = await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisStreamAdmin(missing, TimeProvider.System).DescribeStreamSummaryAsync(None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisShardReader(missing).ListShardsAsync(None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisShardReader(missing).GetShardIteratorAsync("shardId-000000000000", IteratorStart.TrimHorizon, None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisStreamWriter(missing, TimeProvider.System).PutAsync([Record("k", "v")], None));
        Assert.Equal("ResourceNotFoundException", describe.ErrorCode);
        Assert.Contains("not found", describe.Message);
    }

    [Fact]
    public async Task unknown_shard_is_resource_not_found()
    {
        await Assert.ThrowsAsync<ResourceNotFoundException>(
            () => stream.Reader.GetShardIteratorAsync("shardId-000000000099", IteratorStart.TrimHorizon, None));
    }

    [Fact]
    public async Task malformed_iterator_is_a_validation_error()
    {
        var error = await Assert.ThrowsAsync<StreamValidationException>(
            () => stream.Reader.GetRecordsAsync("not-an-iterator", 10, None));
        Assert.Equal("InvalidArgumentException", error.ErrorCode);
    }

    [Fact]
    public async Task malformed_sequence_number_is_a_validation_error()
    {
        IReadOnlyList<ShardDescription> shards = await stream.Reader.ListShardsAsync(None);
        await Assert.ThrowsAsync<StreamValidationException>(
            () => stream.Reader.GetShardIteratorAsync(shards[0].ShardId, IteratorStart.At("12345"), None));
    }

    [Fact]
    public async Task unreachable_endpoint_is_stream_unavailable()
    {
        // Port 9 (discard) has no listener here: the connection is refused at once.
        KinesisClient nowhere = KinesaliteFixture.CreateClient(stream.StreamName, "http://127.0.0.1:9");
        var writer = new KinesisStreamWriter(nowhere, TimeProvider.System);

        await Assert.ThrowsAsync<StreamUnavailableException>(() => new KinesisShardReader(nowhere).ListShardsAsync(None));
        nowhere.Options.PutRetryAttempts = 1;
        nowhere.Options.PutRetryBaseDelay = nowhere.Options.PutRetryMaxDelay = TimeSpan.FromMilliseconds(1);
        await Assert.ThrowsAsync<StreamUnavailableException>(() => writer.PutAsync([Record("k", "v")], None));
    }

    [Fact]
    public async Task oversized_request_body_is_a_validation_error()
    {
        // Bypasses the writer's splitting: kinesalite refuses bodies over 7 MB with an empty 413.
        string huge = new('x', 8 * 1024 * 1024);
        var error = await Assert.ThrowsAsync<StreamValidationException>(() => stream.Client.SendAsync(
            "PutRecord",
            huge,
            static (writer, data) =>
            {
                writer.WriteString("StreamName"u8, "x");
                writer.WriteString("Data"u8, data);
                writer.WriteString("PartitionKey"u8, "k");
            },
            static (_, _) => true,
            None));
        Assert.Equal("RequestEntityTooLarge", error.ErrorCode);
    }
}
