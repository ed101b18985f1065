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

/// <summary>An amount in an ISO 4217 currency.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>
/// What a dispatcher or a booking system books. Validated by the API (or the form) before it gets
/// here. Left out, the locale and the channels are the shipper's defaults, the shipper is
/// <see cref="Shipper.DirectId"/>.
/// </summary>
public sealed record NewDelivery(
    string CustomerName,
    string? CustomerEmail,
    string? CustomerPhone,
    string? Locale,
    GeoAddress Pickup,
    GeoAddress Dropoff,
    DateTimeOffset? PromisedTo = null)
{
    public Guid? ShipperId { get; init; }
    public DateTimeOffset? PromisedFrom { get; init; }
    public Money? Fare { get; init; }
    public string? ExternalReference { get; init; }
    public IReadOnlyList<string>? NotifyBy { get; init; }

    /// <summary>The booking system's client, when one books: its external references are unique.</summary>
    public Guid? ApiClientId { get; init; }

    /// <summary>The caller's <c>Idempotency-Key</c>, when it sent one.</summary>
    public BookingIdempotency? Idempotency { get; init; }
}

/// <summary>An <c>Idempotency-Key</c> as the booking service keeps it: whose, which, and the request it came with.</summary>
public sealed record BookingIdempotency(string Owner, string Key, byte[] RequestHash);

public sealed record BookedDelivery(Guid Id, string TrackingToken)
{
    /// <summary>The row as written (with PostgreSQL's updated_at), and its Booked event: enough to answer without reading it back.</summary>
    public Delivery? Written { get; init; }

    public StatusEventView? Booked { get; init; }
}

public enum BookingRefusal
{
    UnknownShipper,

    /// <summary>The client already booked a delivery with this external reference (<see cref="BookingResult.ExistingId"/>).</summary>
    ExternalReferenceTaken,

    /// <summary>The idempotency key came before with another request (<see cref="BookingResult.ExistingId"/> is what it booked).</summary>
    IdempotencyKeyReused,
}

/// <summary>
/// The booking, or why not. <see cref="Replayed"/>: the idempotency key came before with the same
/// request, and <see cref="ExistingId"/> is the delivery it booked then (nothing new was written).
/// </summary>
public sealed record BookingResult(BookedDelivery? Booked, BookingRefusal? Refusal = null, Guid? ExistingId = null, bool Replayed = false);

public enum AssignOutcome
{
    Assigned,
    NotFound,
    UnknownDriver,
    Closed,
}

/// <summary>Dispatcher actions: book a delivery (status Booked, tracking token issued), assign a truck and driver.</summary>
public sealed class DeliveryBookingService(IDbContextFactory<SendyDbContext> contexts, DeliveryStatusService statuses, TrackingLinks links,
    Shippers.ShipperRegistry shippers, TimeProvider time)
{
    public Task<BookedDelivery> BookAsync(NewDelivery booking, string? dispatcher, CancellationToken cancellationToken) =>
        BookAsync(booking, StatusActor.Dispatcher(dispatcher), cancellationToken);

    /// <summary>Books or throws: for callers whose shipper is known to exist (the demo, tests).</summary>
    public async Task<BookedDelivery> BookAsync(NewDelivery booking, StatusActor actor, CancellationToken cancellationToken) =>
        (await TryBookAsync(booking, actor, cancellationToken)) is { Booked: { } booked } ? booked
            : throw new InvalidOperationException("The booking was refused (unknown shipper or a taken external reference).");

    public async Task<BookingResult> TryBookAsync(NewDelivery booking, StatusActor actor, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        var now = time.GetUtcNow();
        var shipper = await shippers.DefaultsAsync(booking.ShipperId ?? Shipper.DirectId, cancellationToken);
        if (shipper is null) return new BookingResult(null, BookingRefusal.UnknownShipper);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(now), TrackingTokenHash = AccessTokens.Hash(token), TrackingTokenProtected = links.Protect(token),
            ShipperId = shipper.Id, ApiClientId = booking.ApiClientId, ExternalReference = booking.ExternalReference,
            CustomerName = booking.CustomerName.Trim(),
            CustomerEmail = booking.CustomerEmail, CustomerPhone = booking.CustomerPhone, Locale = booking.Locale ?? shipper.Locale,
            NotifyBy = booking.NotifyBy is { } channels ? [.. RecipientChannel.All.Where(channels.Contains)] : [.. shipper.NotifyBy],
            PickupAddress = booking.Pickup.Address, PickupLocation = booking.Pickup.ToPoint(),
            DropoffAddress = booking.Dropoff.Address, DropoffLocation = booking.Dropoff.ToPoint(),
            // PostgreSQL stores instants: any offset the booking used becomes UTC.
            PromisedFrom = booking.PromisedFrom?.ToUniversalTime(), PromisedTo = booking.PromisedTo?.ToUniversalTime(),
            EstimatedArrivalAt = booking.PromisedTo?.ToUniversalTime(),
            FareAmount = booking.Fare?.Amount, FareCurrency = booking.Fare?.Currency,
            Status = DeliveryStatus.Booked, StatusChangedAt = now, CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Deliveries.Add(delivery);
        if (booking.Idempotency is { } idempotency)
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                Owner = idempotency.Owner, Key = idempotency.Key, RequestHash = idempotency.RequestHash, DeliveryId = delivery.Id, CreatedAt = now,
            });
        DeliveryStatusChanged change;
        try
        {
            // One save writes the delivery (still new, so its status and event sequence go into the
            // INSERT rather than a second UPDATE), the key's record, the Booked event and its
            // outbox and webhook rows.
            change = await statuses.WriteAsync(db, delivery,
                new StatusChangeRequest(delivery.Id, DeliveryStatus.Booked, actor, "booked"), cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: "23505", ConstraintName: IdempotencyKey or ExternalReferenceKey })
        {
            // The key or the reference was used before (a retry, or another request that committed
            // first). There is no look-up before the insert: a new key, the common case, pays no extra
            // round trip, and a repeated one is answered from here. With the same idempotency key it is
            // this request's answer (its delivery also holds the external reference, so that index may
            // be the one hit).
            await tx.RollbackAsync(cancellationToken);
            await using var read = await contexts.CreateDbContextAsync(cancellationToken);
            if (booking.Idempotency is { } raced && await KeyedAsync(read, raced, cancellationToken) is { } answered) return answered;
            var existing = await read.Deliveries.Where(d => d.ApiClientId == booking.ApiClientId && d.ExternalReference == booking.ExternalReference)
                .Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken);
            if (existing is null) throw; // the key's record is gone again (cleaned up mid-race): a retry books anew
            return new BookingResult(null, BookingRefusal.ExternalReferenceTaken, existing);
        }
        await tx.CommitAsync(cancellationToken);
        statuses.PublishCommitted(change);
        return new BookingResult(new BookedDelivery(delivery.Id, token) { Written = delivery, Booked = change.Event });
    }

    private const string ExternalReferenceKey = "ix_deliveries_api_client_id_external_reference";
    private const string IdempotencyKey = "pk_idempotency_keys";

    /// <summary>The earlier answer for this key, or null when the key is new.</summary>
    private static async Task<BookingResult?> KeyedAsync(SendyDbContext db, BookingIdempotency key, CancellationToken cancellationToken)
    {
        var record = await db.IdempotencyRecords.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Owner == key.Owner && r.Key == key.Key, cancellationToken);
        if (record is null) return null;
        return record.RequestHash.AsSpan().SequenceEqual(key.RequestHash)
            ? new BookingResult(null, ExistingId: record.DeliveryId, Replayed: true)
            : new BookingResult(null, BookingRefusal.IdempotencyKeyReused, record.DeliveryId);
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
