using NetTopologySuite.Geometries;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Storage;

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
