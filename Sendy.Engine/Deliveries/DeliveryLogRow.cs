namespace Sendy.Engine.Deliveries;

/// <summary>One delivery in the log.</summary>
public sealed record DeliveryLogRow(
    Guid Id,
    DateTimeOffset CreatedAt,
    string CustomerName,
    string? TruckId,
    string? TruckName,
    string? DriverName,
    DeliveryStatus Status,
    DateTimeOffset? PickedUpAt,
    DateTimeOffset? DeliveredAt);
