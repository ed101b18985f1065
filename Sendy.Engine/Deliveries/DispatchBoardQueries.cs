using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>One line of the dispatcher's delivery list: the delivery with its truck's and driver's names.</summary>
public sealed record DispatchDeliveryRow(
    Guid Id,
    DeliveryStatus Status,
    string CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    string? TruckId,
    string? TruckName,
    string? TruckPlate,
    Guid? DriverId,
    string? DriverName,
    string? PickupAddress,
    string? DropoffAddress,
    DateTimeOffset? PromisedTo,
    DateTimeOffset? EstimatedArrivalAt,
    DateTimeOffset StatusChangedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason)
{
    public bool IsClosed => DeliveryStateMachine.IsFinal(Status);

    /// <summary>The promised window's start (null: "by <see cref="PromisedTo"/>").</summary>
    public DateTimeOffset? PromisedFrom { get; init; }

    /// <summary>Who booked it.</summary>
    public string? ShipperName { get; init; }

    /// <summary>What the server's last ETA pass made of the truck (null: none yet); <see cref="EstimatedArrivalAt"/> counts only when Estimated or Arriving.</summary>
    public Tracking.EtaKind? EtaKind { get; init; }
}

/// <summary>A driver a dispatcher can assign, with the truck that comes with them and how many open deliveries they carry.</summary>
public sealed record DriverChoice(Guid DriverId, string DriverName, string TruckId, string TruckName, string? TruckPlate, int OpenDeliveries);

/// <summary>
/// Read side of the dispatcher's delivery list (<c>/dispatch/deliveries</c>): rows with names
/// resolved in one query, the drivers to assign, and a delivery's customer link.
/// </summary>
public sealed class DispatchBoardQueries(IDbContextFactory<SendyDbContext> contexts, TrackingLinks links)
{
    /// <summary>Every open delivery, plus those created or closed since <paramref name="since"/>; open ones first, then by planned arrival.</summary>
    public async Task<IReadOnlyList<DispatchDeliveryRow>> ListAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        since = since.ToUniversalTime(); // Npgsql writes timestamptz parameters at offset 0 only
        var query = db.Deliveries.AsNoTracking().Where(d => d.ClosedAt == null || d.ClosedAt >= since || d.CreatedAt >= since)
            .OrderBy(d => d.ClosedAt != null).ThenBy(d => d.PromisedTo ?? d.CreatedAt).ThenBy(d => d.Id).Take(limit);
        return await Project(db, query).ToListAsync(cancellationToken);
    }

    public async Task<DispatchDeliveryRow?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Project(db, db.Deliveries.AsNoTracking().Where(d => d.Id == id)).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Every driver with their truck, by name.</summary>
    public async Task<IReadOnlyList<DriverChoice>> DriversAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await (
            from driver in db.Drivers.AsNoTracking()
            join truck in db.Trucks.AsNoTracking() on driver.TruckId equals truck.Id
            orderby driver.Name, truck.Name
            select new DriverChoice(driver.Id, driver.Name, truck.Id, truck.Name, truck.Plate,
                db.Deliveries.Count(d => d.DriverId == driver.Id && d.ClosedAt == null))).ToListAsync(cancellationToken);
    }

    /// <summary>The customer's tracking link, or null when the delivery does not exist.</summary>
    /// <exception cref="TrackingLinkUnavailableException">The stored link cannot be decrypted on this node.</exception>
    public async Task<Uri?> TrackingLinkAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Deliveries.AsNoTracking().Where(d => d.Id == id)
            .Select(d => new { d.TrackingTokenProtected }).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : links.LinkFor(id, found.TrackingTokenProtected);
    }

    // Names and the closing reason as correlated subqueries: one round trip, no navigation properties needed.
    private static IQueryable<DispatchDeliveryRow> Project(SendyDbContext db, IQueryable<Delivery> deliveries) =>
        from d in deliveries
        select new DispatchDeliveryRow(d.Id, d.Status, d.CustomerName, d.CustomerEmail, d.CustomerPhone, d.TruckId,
            db.Trucks.Where(t => t.Id == d.TruckId).Select(t => t.Name).FirstOrDefault(),
            db.Trucks.Where(t => t.Id == d.TruckId).Select(t => t.Plate).FirstOrDefault(),
            d.DriverId,
            db.Drivers.Where(x => x.Id == d.DriverId).Select(x => x.Name).FirstOrDefault(),
            d.PickupAddress, d.DropoffAddress, d.PromisedTo, d.EstimatedArrivalAt, d.StatusChangedAt, d.CreatedAt, d.ClosedAt,
            d.ClosedAt == null ? null
                : db.StatusEvents.Where(e => e.DeliveryId == d.Id && e.ToStatus == d.Status)
                    .OrderByDescending(e => e.OccurredAt).Select(e => e.Reason).FirstOrDefault())
        {
            PromisedFrom = d.PromisedFrom,
            ShipperName = db.Shippers.Where(s => s.Id == d.ShipperId).Select(s => s.Name).FirstOrDefault(),
            EtaKind = d.EtaKind,
        };
}
