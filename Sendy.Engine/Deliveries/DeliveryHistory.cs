namespace Sendy.Engine.Deliveries;

/// <summary>A delivery as its history page shows it: the header, the timeline and the notifications sent for it.</summary>
public sealed record DeliveryHistory(
    DeliveryLogRow Summary,
    string? TruckPlate,
    PlaceView Pickup,
    PlaceView Dropoff,
    DateTimeOffset? PromisedTo,
    DateTimeOffset? EstimatedArrivalAt,
    DateTimeOffset? ClosedAt,
    string? FailureReason,
    IReadOnlyList<StatusEventLogRow> Events,
    IReadOnlyList<NotificationLogRow> Notifications);
