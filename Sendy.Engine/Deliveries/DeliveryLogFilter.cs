namespace Sendy.Engine.Deliveries;

/// <summary>
/// What an admin narrows the logs by. Text filters match case-insensitively anywhere in the value.
/// <see cref="From"/> is inclusive and <see cref="To"/> exclusive; they apply to a delivery's
/// creation time, or to a status event's time.
/// </summary>
public sealed record DeliveryLogFilter(
    string? Delivery = null,
    string? Truck = null,
    string? Driver = null,
    DeliveryStatus? Status = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);
