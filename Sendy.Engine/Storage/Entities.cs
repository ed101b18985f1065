using NetTopologySuite.Geometries;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Storage;

public sealed class Truck
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Plate { get; set; }
    /// <summary>The identifier a native tracker app (OsmAnd protocol, Traccar Client) sends as "id".</summary>
    public string? DeviceId { get; set; }
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
    /// <summary>The tracking token encrypted with ASP.NET Core Data Protection, for links in notifications; never the token in clear.</summary>
    public string? TrackingTokenProtected { get; set; }
    /// <summary>Null while Booked: a dispatcher assigns the truck and driver.</summary>
    public string? TruckId { get; set; }
    public Guid? DriverId { get; set; }
    public required string CustomerName { get; set; }
    public string? CustomerEmail { get; set; }
    /// <summary>E.164 ("+821012345678").</summary>
    public string? CustomerPhone { get; set; }
    /// <summary>"ko" or "en": the language of the customer's notifications.</summary>
    public string Locale { get; set; } = "ko";
    public string? PickupAddress { get; set; }
    public Point? PickupLocation { get; set; }
    public string? DropoffAddress { get; set; }
    public Point? DropoffLocation { get; set; }
    public DateTimeOffset? PlannedArrivalAt { get; set; }
    public DateTimeOffset? EstimatedArrivalAt { get; set; }
    public DeliveryStatus Status { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    public DateTimeOffset? PickedUpAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>When it reached a final status (Delivered, Cancelled, Failed).</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The geofence saw the truck at the pickup point while EnRouteToPickup (a suggestion for the driver, not a status).</summary>
    public DateTimeOffset? AtPickupAt { get; set; }
    /// <summary>After this the tracking link answers "expired" (410) and shows nothing (set when the delivery closes).</summary>
    public DateTimeOffset? TrackingExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Who changed a delivery's status.</summary>
public enum StatusActorKind
{
    Driver,
    Dispatcher,
    System,
}

/// <summary>One status change: from, to, who, when, where the truck was.</summary>
public sealed class DeliveryStatusEvent
{
    public Guid Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DeliveryStatus? FromStatus { get; set; }
    public DeliveryStatus ToStatus { get; set; }
    public StatusActorKind ActorKind { get; set; }
    /// <summary>The driver's id, a dispatcher's user name, or the system component ("geofence").</summary>
    public string? ActorId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The truck's latest stored position at the time, if any.</summary>
    public Point? Location { get; set; }
    public string? Note { get; set; }
    public string? Reason { get; set; }
    /// <summary>Unique per delivery: a retried submission finds its first result.</summary>
    public required string IdempotencyKey { get; set; }
}

/// <summary>One notification owed for a status event, on one channel. Written with the event; Hangfire jobs are made from it.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid StatusEventId { get; set; }
    public Guid DeliveryId { get; set; }
    /// <summary>"sns-topic", "sms", "email" or "search-index" (<see cref="Sendy.Engine.Notifications.NotificationChannel"/>).</summary>
    public required string Channel { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Null while pending; set in the same transaction that handed it to Hangfire.</summary>
    public DateTimeOffset? EnqueuedAt { get; set; }
    public string? JobId { get; set; }
}

/// <summary>Proof a notification went out: the job checks it first, so a job that runs twice sends once.</summary>
public sealed class NotificationSent
{
    public long OutboxId { get; set; }
    public required string Channel { get; set; }
    public DateTimeOffset SentAt { get; set; }
    /// <summary>The provider's message id (SNS MessageId, SMTP Message-Id), or why nothing was sent ("skipped: …").</summary>
    public string? Result { get; set; }
}

/// <summary>How far a recurring export has read a table (keyset on stored_at + the position's identity).</summary>
public sealed class ExportWatermark
{
    public required string Name { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public required string StreamName { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One stored fix. Its identity is the truck and its device time; where it sat on the stream is kept beside it.</summary>
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
