namespace Sendy.Engine.Storage;

/// <summary>Ownership and progress of one shard (KCL's lease).</summary>
public sealed class LeaseRow
{
    public required string StreamName { get; set; }
    public required string ShardId { get; set; }
    public string? Owner { get; set; }
    public long Counter { get; set; }
    public DateTimeOffset? LastRenewedAt { get; set; }
    public required string Checkpoint { get; set; }
    public string[] ParentShardIds { get; set; } = [];
    public int OwnerSwitchesSinceCheckpoint { get; set; }
    /// <summary>How far the owner was behind the stream's tip at its last renewal (visibility only).</summary>
    public long? MillisBehindLatest { get; set; }
    public DateTimeOffset? LastCheckpointAt { get; set; }
}
