using System.Globalization;
using System.Text.Json;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>ListShards, GetShardIterator and GetRecords on the configured stream.</summary>
public sealed class KinesisShardReader(KinesisClient client) : IShardReader
{
    public const int MaxRecordsPerGet = 10_000;

    private readonly KinesisClient _client = client ?? throw new ArgumentNullException(nameof(client));

    public async Task<IReadOnlyList<ShardDescription>> ListShardsAsync(CancellationToken cancellationToken)
    {
        var shards = new List<ShardDescription>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? nextToken = null;
        do
        {
            // AWS wants the stream name on the first page only, the token alone after it.
            // kinesalite ignores paging and answers everything without a token.
            (List<ShardDescription> page, nextToken) = await _client.SendAsync(
                "ListShards",
                (Stream: _client.StreamName, Token: nextToken),
                static (writer, s) =>
                {
                    if (s.Token is null)
                    {
                        writer.WriteString("StreamName"u8, s.Stream);
                    }
                    else
                    {
                        writer.WriteString("NextToken"u8, s.Token);
                    }
                },
                static (root, _) => ReadShardPage(root),
                cancellationToken).ConfigureAwait(false);

            foreach (ShardDescription shard in page)
            {
                if (seen.Add(shard.ShardId))
                {
                    shards.Add(shard);
                }
            }
        }
        while (nextToken is not null);

        return shards;
    }

    public Task<string> GetShardIteratorAsync(string shardId, IteratorStart start, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardId);
        ArgumentNullException.ThrowIfNull(start);
        if (start.Kind is IteratorKind.AtSequenceNumber or IteratorKind.AfterSequenceNumber && string.IsNullOrEmpty(start.SequenceNumber))
        {
            throw new ArgumentException($"{start.Kind} needs a sequence number.", nameof(start));
        }

        if (start.Kind is IteratorKind.AtTimestamp && start.Timestamp is null)
        {
            throw new ArgumentException("AtTimestamp needs a timestamp.", nameof(start));
        }

        return _client.SendAsync(
            "GetShardIterator",
            (Stream: _client.StreamName, ShardId: shardId, Start: start),
            static (writer, s) =>
            {
                writer.WriteString("StreamName"u8, s.Stream);
                writer.WriteString("ShardId"u8, s.ShardId);
                writer.WriteString("ShardIteratorType"u8, IteratorType(s.Start.Kind));
                if (s.Start.Kind is IteratorKind.AtSequenceNumber or IteratorKind.AfterSequenceNumber)
                {
                    writer.WriteString("StartingSequenceNumber"u8, s.Start.SequenceNumber);
                }
                else if (s.Start.Kind is IteratorKind.AtTimestamp)
                {
                    // Epoch seconds with the milliseconds as a fraction.
                    writer.WriteNumber("Timestamp"u8, s.Start.Timestamp!.Value.ToUnixTimeMilliseconds() / 1000m);
                }
            },
            static (root, _) => root.GetProperty("ShardIterator"u8).GetString()
                ?? throw new StreamException("GetShardIterator: answer without ShardIterator.", "InvalidResponse"),
            cancellationToken);
    }

    public Task<RecordPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardIterator);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxRecordsPerGet);

        return _client.SendAsync(
            "GetRecords",
            (Iterator: shardIterator, Limit: limit),
            static (writer, s) =>
            {
                writer.WriteString("ShardIterator"u8, s.Iterator);
                writer.WriteNumber("Limit"u8, s.Limit);
            },
            static (root, _) => ReadRecordPage(root),
            cancellationToken);
    }

    internal static string IteratorType(IteratorKind kind) => kind switch
    {
        IteratorKind.TrimHorizon => "TRIM_HORIZON",
        IteratorKind.Latest => "LATEST",
        IteratorKind.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        IteratorKind.AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        IteratorKind.AtTimestamp => "AT_TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static (List<ShardDescription> Shards, string? NextToken) ReadShardPage(JsonElement root)
    {
        var shards = new List<ShardDescription>();
        if (root.TryGetProperty("Shards"u8, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement shard in list.EnumerateArray())
            {
                JsonElement range = shard.GetProperty("SequenceNumberRange"u8);
                shards.Add(new ShardDescription(
                    shard.GetProperty("ShardId"u8).GetString()!,
                    OptionalString(shard, "ParentShardId"u8),
                    OptionalString(shard, "AdjacentParentShardId"u8),
                    range.GetProperty("StartingSequenceNumber"u8).GetString()!,
                    OptionalString(range, "EndingSequenceNumber"u8)));
            }
        }

        return (shards, OptionalString(root, "NextToken"u8));
    }

    private static RecordPage ReadRecordPage(JsonElement root)
    {
        var records = new List<ReceivedRecord>();
        if (root.TryGetProperty("Records"u8, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            records.Capacity = list.GetArrayLength();
            foreach (JsonElement record in list.EnumerateArray())
            {
                records.Add(new ReceivedRecord(
                    record.GetProperty("SequenceNumber"u8).GetString()!,
                    record.GetProperty("PartitionKey"u8).GetString()!,
                    EpochSeconds(record.GetProperty("ApproximateArrivalTimestamp"u8)),
                    record.GetProperty("Data"u8).GetBytesFromBase64()));
            }
        }

        long? behind = root.TryGetProperty("MillisBehindLatest"u8, out JsonElement millis) && millis.ValueKind == JsonValueKind.Number
            ? millis.GetInt64()
            : null;

        var children = new List<ChildShardDescription>();
        if (root.TryGetProperty("ChildShards"u8, out JsonElement childList) && childList.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement child in childList.EnumerateArray())
            {
                var parents = new List<string>();
                if (child.TryGetProperty("ParentShards"u8, out JsonElement parentList) && parentList.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement parent in parentList.EnumerateArray())
                    {
                        parents.Add(parent.GetString()!);
                    }
                }

                children.Add(new ChildShardDescription(child.GetProperty("ShardId"u8).GetString()!, parents));
            }
        }

        // Absent or null at the end of a closed shard.
        return new RecordPage(records, OptionalString(root, "NextShardIterator"u8), behind, children);
    }

    /// <summary>Kinesis timestamps are epoch seconds with a fraction (some emulators send them as strings).</summary>
    internal static DateTimeOffset EpochSeconds(JsonElement value)
    {
        decimal seconds = value.ValueKind == JsonValueKind.String
            ? decimal.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : value.GetDecimal();
        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000m, MidpointRounding.AwayFromZero));
    }

    private static string? OptionalString(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
