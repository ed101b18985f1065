using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

public sealed record PlaceView(string? Address, double? Latitude, double? Longitude);

/// <summary>A delivery as dispatchers see it.</summary>
public sealed record DeliveryView(
    Guid Id,
    DeliveryStatus Status,
    string CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    string Locale,
    string? TruckId,
    Guid? DriverId,
    PlaceView Pickup,
    PlaceView Dropoff,
    DateTimeOffset? PromisedTo,
    DateTimeOffset? EstimatedArrivalAt,
    DateTimeOffset StatusChangedAt,
    DateTimeOffset? PickedUpAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ClosedAt,
    string? FailureReason,
    DateTimeOffset? AtPickupAt,
    DateTimeOffset CreatedAt,
    IReadOnlyList<StatusEventView>? Events = null)
{
    public Guid ShipperId { get; init; }
    public string? ExternalReference { get; init; }
    public DateTimeOffset? PromisedFrom { get; init; }
    public Money? Fare { get; init; }
    public IReadOnlyList<string> NotifyBy { get; init; } = [];
}

/// <summary>What the driver page needs: the delivery, where to go, and which buttons to show.</summary>
public sealed record DriverDeliveryView(
    Guid Id,
    DeliveryStatus Status,
    string CustomerName,
    PlaceView Pickup,
    PlaceView Dropoff,
    DateTimeOffset? PromisedTo,
    bool AtPickup,
    IReadOnlyList<DeliveryStatus> NextStatuses);

/// <summary>Read side of deliveries: dispatcher lists, the driver's current delivery, timelines.</summary>
public sealed class DeliveryQueries(IDbContextFactory<SendyDbContext> contexts)
{
    public async Task<DeliveryView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null) return null;
        return ToView(delivery) with { Events = await TimelineAsync(db, id, cancellationToken) };
    }

    public async Task<IReadOnlyList<DeliveryView>> ListAsync(DeliveryStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Deliveries.AsNoTracking();
        if (status is { } s) query = query.Where(d => d.Status == s);
        var rows = await query.OrderByDescending(d => d.CreatedAt).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(ToView).ToList();
    }

    /// <summary>The driver's open delivery furthest along (a driver carries one at a time), or null.</summary>
    public async Task<DriverDeliveryView?> CurrentForDriverAsync(Guid driverId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = await db.Deliveries.AsNoTracking()
            .Where(d => d.DriverId == driverId && d.ClosedAt == null)
            .ToListAsync(cancellationToken);
        var d = open.OrderByDescending(x => x.Status).ThenBy(x => x.PromisedTo ?? x.CreatedAt).FirstOrDefault();
        return d is null ? null : new DriverDeliveryView(d.Id, d.Status, d.CustomerName, Place(d.PickupAddress, d.PickupLocation),
            Place(d.DropoffAddress, d.DropoffLocation), d.PromisedTo, d.AtPickupAt is not null && d.Status == DeliveryStatus.EnRouteToPickup,
            DeliveryStateMachine.NextStatuses(d.Status).Where(DriverMay).ToList());
    }

    public async Task<IReadOnlyList<StatusEventView>> TimelineAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await TimelineAsync(db, deliveryId, cancellationToken);
    }

    /// <summary>Drivers move a delivery along and may report failure; assignment and cancellation are the dispatcher's.</summary>
    public static bool DriverMay(DeliveryStatus to) => to is not (DeliveryStatus.Booked or DeliveryStatus.DriverAssigned or DeliveryStatus.Cancelled);

    private static async Task<IReadOnlyList<StatusEventView>> TimelineAsync(SendyDbContext db, Guid deliveryId, CancellationToken cancellationToken)
    {
        var events = await db.StatusEvents.AsNoTracking().Where(e => e.DeliveryId == deliveryId)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return events.Select(StatusEventView.Of).ToList();
    }

    private static DeliveryView ToView(Delivery d) => new(d.Id, d.Status, d.CustomerName, d.CustomerEmail, d.CustomerPhone, d.Locale,
        d.TruckId, d.DriverId, Place(d.PickupAddress, d.PickupLocation), Place(d.DropoffAddress, d.DropoffLocation), d.PromisedTo,
        d.EstimatedArrivalAt, d.StatusChangedAt, d.PickedUpAt, d.DeliveredAt, d.ClosedAt, d.FailureReason, d.AtPickupAt, d.CreatedAt)
    {
        ShipperId = d.ShipperId, ExternalReference = d.ExternalReference, PromisedFrom = d.PromisedFrom,
        Fare = d.FareAmount is { } amount && d.FareCurrency is { } currency ? new Money(amount, currency) : null, NotifyBy = d.NotifyBy,
    };

    private static PlaceView Place(string? address, NetTopologySuite.Geometries.Point? p) => new(address, p?.Y, p?.X);
}
