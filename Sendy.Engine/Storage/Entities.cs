using NetTopologySuite.Geometries;

namespace Sendy.Engine.Storage;

public sealed class Truck
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Plate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Driver
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string TruckId { get; set; }
    /// <summary>SHA-256 of the driver token; the token itself is never stored.</summary>
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Delivery
{
    public Guid Id { get; set; }
    /// <summary>SHA-256 of the tracking token; the token itself is never stored.</summary>
    public required byte[] TrackingTokenHash { get; set; }
    public required string TruckId { get; set; }
    public Guid? DriverId { get; set; }
    public required string CustomerName { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One stored fix. Its identity is where it sat on the stream.</summary>
public sealed class PositionRow
{
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public required string StreamName { get; set; }
    public required string TruckId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public required Point Location { get; set; }
    public double? SpeedMps { get; set; }
    public double? HeadingDegrees { get; set; }
    public double? AccuracyMeters { get; set; }
}

/// <summary>A truck's newest fix by device time.</summary>
public sealed class LatestPosition
{
    public required string TruckId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required Point Location { get; set; }
    public double? SpeedMps { get; set; }
    public double? HeadingDegrees { get; set; }
    public double? AccuracyMeters { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
}

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

/// <summary>A consumer node's heartbeat, so admins see workers that hold no lease too.</summary>
public sealed class WorkerRow
{
    public required string WorkerId { get; set; }
    public required string Host { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastHeartbeatAt { get; set; }
    public int LeaseCount { get; set; }
}

/// <summary>A record the consumer could not use, kept with the reason.</summary>
public sealed class DeadLetter
{
    public long Id { get; set; }
    public required string StreamName { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public string? PartitionKey { get; set; }
    public required byte[] Data { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset FailedAt { get; set; }
}
