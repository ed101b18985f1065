using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

public sealed record GeoAddress(string Address, double Latitude, double Longitude)
{
    internal Point ToPoint() => new(Longitude, Latitude) { SRID = 4326 };
}

/// <summary>What a dispatcher books. Validated by the API before it gets here.</summary>
public sealed record NewDelivery(
    string CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    string Locale,
    GeoAddress Pickup,
    GeoAddress Dropoff,
    DateTimeOffset? PlannedArrivalAt = null);

public sealed record BookedDelivery(Guid Id, string TrackingToken);

public enum AssignOutcome
{
    Assigned,
    NotFound,
    UnknownDriver,
    Closed,
}

/// <summary>Dispatcher actions: book a delivery (status Booked, tracking token issued), assign a truck and driver.</summary>
public sealed class DeliveryBookingService(IDbContextFactory<SendyDbContext> contexts, DeliveryStatusService statuses, TrackingLinks links, TimeProvider time)
{
    public Task<BookedDelivery> BookAsync(NewDelivery booking, string? dispatcher, CancellationToken cancellationToken) =>
        BookAsync(booking, StatusActor.Dispatcher(dispatcher), cancellationToken);

    public async Task<BookedDelivery> BookAsync(NewDelivery booking, StatusActor actor, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        var now = time.GetUtcNow();
        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(now), TrackingTokenHash = AccessTokens.Hash(token), TrackingTokenProtected = links.Protect(token),
            CustomerName = booking.CustomerName.Trim(),
            CustomerEmail = booking.CustomerEmail, CustomerPhone = booking.CustomerPhone, Locale = booking.Locale,
            PickupAddress = booking.Pickup.Address, PickupLocation = booking.Pickup.ToPoint(),
            DropoffAddress = booking.Dropoff.Address, DropoffLocation = booking.Dropoff.ToPoint(),
            PlannedArrivalAt = booking.PlannedArrivalAt, EstimatedArrivalAt = booking.PlannedArrivalAt,
            Status = DeliveryStatus.Booked, StatusChangedAt = now, CreatedAt = now,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Deliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        var change = await statuses.WriteAsync(db, delivery,
            new StatusChangeRequest(delivery.Id, DeliveryStatus.Booked, actor, "booked"), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        statuses.PublishCommitted(change);
        return new BookedDelivery(delivery.Id, token);
    }

    /// <summary>
    /// Assigns the driver (and the driver's truck). A Booked delivery moves to DriverAssigned; a
    /// later one is reassigned in place, with a status-log event that names the change (its status
    /// stays). The same driver again changes nothing.
    /// </summary>
    public Task<AssignOutcome> AssignAsync(Guid deliveryId, Guid driverId, string? dispatcher, CancellationToken cancellationToken) =>
        AssignAsync(deliveryId, driverId, StatusActor.Dispatcher(dispatcher), cancellationToken);

    public async Task<AssignOutcome> AssignAsync(Guid deliveryId, Guid driverId, StatusActor actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await DeliveryStatusService.LockAsync(db, deliveryId, cancellationToken);
        if (delivery is null) return AssignOutcome.NotFound;
        if (DeliveryStateMachine.IsFinal(delivery.Status)) return AssignOutcome.Closed;
        var driver = await db.Drivers.AsNoTracking().FirstOrDefaultAsync(d => d.Id == driverId, cancellationToken);
        if (driver is null) return AssignOutcome.UnknownDriver;
        if (delivery.DriverId == driver.Id && delivery.TruckId == driver.TruckId) return AssignOutcome.Assigned;

        var (previousTruck, previousDriver) = (delivery.TruckId, delivery.DriverId);
        delivery.DriverId = driver.Id;
        delivery.TruckId = driver.TruckId;
        if (previousTruck != driver.TruckId) delivery.TruckAssignedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        DeliveryStatusChanged change;
        if (delivery.Status == DeliveryStatus.Booked)
        {
            change = await statuses.WriteAsync(db, delivery, new StatusChangeRequest(delivery.Id, DeliveryStatus.DriverAssigned,
                actor, $"assign:{driver.Id:N}"), cancellationToken);
        }
        else
        {
            var previousName = previousDriver is null ? null
                : await db.Drivers.Where(d => d.Id == previousDriver).Select(d => d.Name).FirstOrDefaultAsync(cancellationToken);
            var note = previousTruck == driver.TruckId
                ? $"Reassigned: driver {previousName ?? "none"} → {driver.Name} (truck {driver.TruckId})"
                : $"Reassigned: truck {previousTruck ?? "none"} → {driver.TruckId}, driver {previousName ?? "none"} → {driver.Name}";
            change = await statuses.WriteReassignedAsync(db, delivery, actor, note, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        statuses.PublishCommitted(change);
        return AssignOutcome.Assigned;
    }
}
