using Sendy.Engine.Storage;

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

/// <summary>The columns the deliveries log sorts by: a whitelist, so no caller's text reaches the ORDER BY.</summary>
public enum DeliveryLogSort
{
    CreatedAt,
    Customer,
    Truck,
    Driver,
    Status,
    PickedUpAt,
    DeliveredAt,
}

/// <summary>The columns the status event log sorts by.</summary>
public enum StatusEventLogSort
{
    OccurredAt,
    Customer,
    ToStatus,
    Actor,
}

/// <summary>One page of a log: zero-based page index, at most <see cref="MaxPageSize"/> rows.</summary>
public sealed record LogPageRequest<TSort>(TSort Sort, bool Descending, int Page, int PageSize) where TSort : struct, Enum
{
    public const int MaxPageSize = 200;
}

public sealed record LogPage<T>(IReadOnlyList<T> Rows, int Total);

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

/// <summary>Read side of the admin logs: pages for the grid, every matching row for the export.</summary>
public interface IDeliveryLogQueries
{
    Task<LogPage<DeliveryLogRow>> DeliveriesAsync(DeliveryLogFilter filter, LogPageRequest<DeliveryLogSort> page, CancellationToken cancellationToken);

    Task<LogPage<StatusEventLogRow>> StatusEventsAsync(DeliveryLogFilter filter, LogPageRequest<StatusEventLogSort> page, CancellationToken cancellationToken);

    /// <summary>Every matching delivery in the given order, streamed from the database.</summary>
    IAsyncEnumerable<DeliveryLogRow> AllDeliveriesAsync(DeliveryLogFilter filter, DeliveryLogSort sort, bool descending, CancellationToken cancellationToken);

    IAsyncEnumerable<StatusEventLogRow> AllStatusEventsAsync(DeliveryLogFilter filter, StatusEventLogSort sort, bool descending, CancellationToken cancellationToken);
}

/// <summary>A delivery as its history page shows it: the header, the timeline and the notifications sent for it.</summary>
public sealed record DeliveryHistory(
    DeliveryLogRow Summary,
    string? TruckPlate,
    PlaceView Pickup,
    PlaceView Dropoff,
    DateTimeOffset? PlannedArrivalAt,
    DateTimeOffset? EstimatedArrivalAt,
    DateTimeOffset? ClosedAt,
    string? FailureReason,
    IReadOnlyList<StatusEventLogRow> Events,
    IReadOnlyList<NotificationLogRow> Notifications);

/// <summary>One outbox row and, once it went out, what the provider answered. Pending until <see cref="SentAt"/> is set.</summary>
public sealed record NotificationLogRow(
    long OutboxId,
    Guid StatusEventId,
    DeliveryStatus ForStatus,
    string Channel,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset? SentAt,
    string? Result);

public readonly record struct RoutePoint(double Latitude, double Longitude, DateTimeOffset RecordedAt, double? SpeedMps, double? HeadingDegrees);

/// <summary>
/// The stored positions of the delivery's truck between <see cref="From"/> and <see cref="To"/>,
/// oldest first, thinned evenly to at most the requested count: <see cref="StoredCount"/> says how many there were.
/// </summary>
public sealed record DeliveryRoute(DateTimeOffset From, DateTimeOffset To, bool FromAssignment, IReadOnlyList<RoutePoint> Points, int StoredCount)
{
    public bool Downsampled => Points.Count < StoredCount;
}

public interface IDeliveryHistoryQueries
{
    Task<DeliveryHistory?> GetAsync(Guid deliveryId, CancellationToken cancellationToken);

    /// <summary>Null when the delivery does not exist or never had a truck.</summary>
    Task<DeliveryRoute?> RouteAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken);
}
