namespace Sendy.Engine.Leasing;

/// <summary>Checkpoint sentinels, as KCL names them.</summary>
public static class Checkpoints
{
    public const string TrimHorizon = "TRIM_HORIZON";
    public const string Latest = "LATEST";
    public const string ShardEnd = "SHARD_END";

    public static bool IsSequenceNumber(string checkpoint) =>
        checkpoint is not (TrimHorizon or Latest or ShardEnd);
}

/// <summary>
/// One shard's lease as last read or written. Every write is compare-and-set on <see cref="Counter"/>.
/// </summary>
public sealed record Lease(
    string StreamName,
    string ShardId,
    string? Owner,
    long Counter,
    DateTimeOffset? LastRenewedAt,
    string Checkpoint,
    IReadOnlyList<string> ParentShardIds,
    int OwnerSwitchesSinceCheckpoint)
{
    /// <summary>Free to take: nobody owns it, or its owner has not renewed within the lease duration.</summary>
    public bool IsExpired(TimeSpan leaseDuration, DateTimeOffset now) =>
        Owner is null || LastRenewedAt is null || now - LastRenewedAt.Value > leaseDuration;

    public bool IsFinished => Checkpoint == Checkpoints.ShardEnd;
}

/// <summary>A conditional lease write found the counter (or owner) moved: someone else holds it now.</summary>
public sealed class LeaseLostException(string streamName, string shardId, string operation)
    : Exception($"Lease {streamName}/{shardId} changed under us during {operation}; it is no longer ours")
{
    public string ShardId { get; } = shardId;
}
