namespace Sendy.Engine.Streams;

/// <summary>A record to put on the stream.</summary>
public sealed record OutgoingRecord(string PartitionKey, ReadOnlyMemory<byte> Data);

/// <summary>A record read from one shard.</summary>
public sealed record ReceivedRecord(
    string SequenceNumber,
    string PartitionKey,
    DateTimeOffset ApproximateArrival,
    ReadOnlyMemory<byte> Data);

/// <summary>A shard as ListShards describes it.</summary>
public sealed record ShardDescription(
    string ShardId,
    string? ParentShardId,
    string? AdjacentParentShardId,
    string StartingSequenceNumber,
    string? EndingSequenceNumber)
{
    public bool IsClosed => EndingSequenceNumber is not null;

    public IReadOnlyList<string> ParentShardIds =>
        new[] { ParentShardId, AdjacentParentShardId }.OfType<string>().ToArray();
}

/// <summary>A child shard reported by GetRecords at the end of a closed shard (AWS only).</summary>
public sealed record ChildShardDescription(string ShardId, IReadOnlyList<string> ParentShards);

/// <summary>One GetRecords answer. <see cref="NextIterator"/> is null when the shard has ended.</summary>
public sealed record RecordPage(
    IReadOnlyList<ReceivedRecord> Records,
    string? NextIterator,
    long? MillisBehindLatest,
    IReadOnlyList<ChildShardDescription> ChildShards);

public enum IteratorKind
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
    AtTimestamp,
}

/// <summary>Where a shard iterator starts.</summary>
public sealed record IteratorStart(IteratorKind Kind, string? SequenceNumber = null, DateTimeOffset? Timestamp = null)
{
    public static IteratorStart TrimHorizon { get; } = new(IteratorKind.TrimHorizon);
    public static IteratorStart Latest { get; } = new(IteratorKind.Latest);
    public static IteratorStart At(string sequenceNumber) => new(IteratorKind.AtSequenceNumber, sequenceNumber);
    public static IteratorStart After(string sequenceNumber) => new(IteratorKind.AfterSequenceNumber, sequenceNumber);
    public static IteratorStart AtTime(DateTimeOffset timestamp) => new(IteratorKind.AtTimestamp, Timestamp: timestamp);
}

/// <summary>Result of putting a batch: per input record, its sequence number and shard, in input order.</summary>
public sealed record PutResult(IReadOnlyList<PutRecordResult> Records);

public sealed record PutRecordResult(string ShardId, string SequenceNumber);
