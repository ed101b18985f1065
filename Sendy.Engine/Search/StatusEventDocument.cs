namespace Sendy.Engine.Search;

/// <summary>A status change as indexed in "sendy-status-events" (snake_case fields).</summary>
public sealed record StatusEventDocument(
    string EventId,
    string DeliveryId,
    string DeliveryShortId,
    string? TruckId,
    string Status,
    DateTimeOffset OccurredAt,
    string? Note = null,
    string? Actor = null);
