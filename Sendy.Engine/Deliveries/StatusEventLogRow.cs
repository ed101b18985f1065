using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>One status change in the log; <see cref="ActorName"/> is the driver's name when a driver made it.</summary>
public sealed record StatusEventLogRow(
    Guid Id,
    DateTimeOffset OccurredAt,
    Guid DeliveryId,
    string CustomerName,
    DeliveryStatus? From,
    DeliveryStatus To,
    StatusActorKind ActorKind,
    string? ActorId,
    string? ActorName,
    string? Note,
    string? Reason);
