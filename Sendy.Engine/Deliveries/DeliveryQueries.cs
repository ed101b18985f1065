using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

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

    /// <summary>The last change of any kind (the list's order and cursor).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The customer's tracking link (null only when this node cannot decrypt it: logged and counted).</summary>
    public string? TrackingLink { get; init; }

    /// <summary>
    /// When the tracking link stops working: its own expiry once it was extended, else the
    /// delivery's (set when it closes).
    /// </summary>
    public DateTimeOffset? TrackingLinkExpiresAt { get; init; }

    /// <summary>The current arrival estimate at the drop-off; null before pickup and once closed.</summary>
    public EtaView? Eta { get; init; }
}

/// <summary>
/// An arrival estimate as the server last made it (every <see cref="DeliveryOptions.EtaInterval"/>):
/// <see cref="At"/> is null while <see cref="EtaKind.Calculating"/> (no recent fix, or the truck stopped).
/// </summary>
public sealed record EtaView(EtaKind Kind, DateTimeOffset? At, DateTimeOffset UpdatedAt);

/// <summary>Which deliveries a list holds; null filters match all.</summary>
public sealed record DeliveryListFilter(
    DeliveryStatus? Status = null, Guid? ShipperId = null, DateTimeOffset? UpdatedSince = null,
    string? ExternalReference = null, Guid? ApiClientId = null);

/// <summary>A page of deliveries in the order they last changed; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record DeliveryPage(IReadOnlyList<DeliveryView> Items, string? NextCursor);

/// <summary>
/// Where a list page ends: the last item's (updated at, id). Opaque to callers (base64url); a
/// cursor outlives changes, since a delivery that changes later moves past it and is listed again.
/// </summary>
public readonly record struct DeliveryCursor(DateTimeOffset UpdatedAt, Guid Id)
{
    public string Encode()
    {
        var micros = (UpdatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{micros.ToString(CultureInfo.InvariantCulture)}:{Id:N}"));
    }

    public static bool TryParse(string? text, out DeliveryCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 100) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = Encoding.ASCII.GetString(bytes).Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > 253_402_300_799_999_999 || !Guid.TryParseExact(parts[1], "N", out var id)) return false;
        cursor = new DeliveryCursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
        return true;
    }
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
public sealed class DeliveryQueries(IDbContextFactory<SendyDbContext> contexts, TrackingLinks links)
{
    public async Task<DeliveryView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null) return null;
        var expiries = await LinkExpiriesAsync(db, [delivery], cancellationToken);
        return ToView(delivery, expiries) with { Events = await TimelineAsync(db, id, cancellationToken) };
    }

    /// <summary>
    /// The delivery a client booked with <paramref name="externalReference"/> (unique per client), or,
    /// for staff (<paramref name="apiClientId"/> null), the one delivery carrying it: null when none,
    /// or when several clients used it (the list's filter shows them all).
    /// </summary>
    public async Task<DeliveryView?> ByReferenceAsync(string externalReference, Guid? apiClientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Deliveries.AsNoTracking().Where(d => d.ExternalReference == externalReference);
        if (apiClientId is { } client) query = query.Where(d => d.ApiClientId == client);
        var found = await query.Take(2).ToListAsync(cancellationToken);
        if (found.Count != 1) return null;
        var expiries = await LinkExpiriesAsync(db, found, cancellationToken);
        return ToView(found[0], expiries) with { Events = await TimelineAsync(db, found[0].Id, cancellationToken) };
    }

    public async Task<bool> ExistsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Deliveries.AnyAsync(d => d.Id == id, cancellationToken);
    }

    /// <summary>
    /// The newest fix of the delivery's truck while the delivery is open and since the truck was
    /// given it (null: none such); <c>Found</c> is false when there is no such delivery.
    /// </summary>
    public async Task<(bool Found, TruckPosition? Position)> LatestPositionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (
            from d in db.Deliveries.AsNoTracking()
            where d.Id == id
            join l in db.LatestPositions on d.TruckId equals l.TruckId into latest
            from l in latest.DefaultIfEmpty()
            select new { d.ClosedAt, d.TruckAssignedAt, Position = l }).FirstOrDefaultAsync(cancellationToken);
        if (row is null) return (false, null);
        var shown = row is { ClosedAt: null, Position: { } fix } && (row.TruckAssignedAt is not { } since || fix.RecordedAt >= since);
        return (true, shown ? EfTrackingQueries.ToPosition(row.Position!) : null);
    }

    /// <summary>Deliveries in the order they last changed, oldest change first, <paramref name="limit"/> at a time after <paramref name="after"/>.</summary>
    public async Task<DeliveryPage> ListAsync(DeliveryListFilter filter, DeliveryCursor? after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Deliveries.AsNoTracking();
        if (filter.Status is { } status) query = query.Where(d => d.Status == status);
        if (filter.ShipperId is { } shipper) query = query.Where(d => d.ShipperId == shipper);
        if (filter.UpdatedSince is { } since) query = query.Where(d => d.UpdatedAt >= since.ToUniversalTime());
        if (filter.ExternalReference is { } reference) query = query.Where(d => d.ExternalReference == reference);
        if (filter.ApiClientId is { } client) query = query.Where(d => d.ApiClientId == client);
        if (after is { } c)
        {
            var (at, id) = (c.UpdatedAt.ToUniversalTime(), c.Id);
            query = query.Where(d => EF.Functions.GreaterThan(ValueTuple.Create(d.UpdatedAt, d.Id), ValueTuple.Create(at, id)));
        }
        var rows = await query.OrderBy(d => d.UpdatedAt).ThenBy(d => d.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var page = rows.Take(limit).ToList();
        var expiries = await LinkExpiriesAsync(db, page, cancellationToken);
        var items = page.Select(d => ToView(d, expiries)).ToList();
        var next = rows.Count > limit ? new DeliveryCursor(items[^1].UpdatedAt, items[^1].Id).Encode() : null;
        return new DeliveryPage(items, next);
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

    /// <summary>A delivery just written, as the API answers it (no read back).</summary>
    public DeliveryView ViewOf(Delivery written, IReadOnlyList<StatusEventView> events) => ToView(written, null) with { Events = events };

    /// <summary>The current links' own expiries (set by extending a link), by delivery; a delivery whose current link has none is left out.</summary>
    private static async Task<Dictionary<Guid, DateTimeOffset>> LinkExpiriesAsync(SendyDbContext db, IReadOnlyCollection<Delivery> deliveries,
        CancellationToken cancellationToken)
    {
        var ids = deliveries.Select(d => d.Id).ToList();
        var extended = await db.TrackingLinks.AsNoTracking()
            .Where(l => ids.Contains(l.DeliveryId) && l.ExpiresAt != null && l.RevokedAt == null)
            .Select(l => new { l.DeliveryId, l.TokenHash, l.ExpiresAt }).ToListAsync(cancellationToken);
        var current = deliveries.ToDictionary(d => d.Id, d => d.TrackingTokenHash);
        return extended.Where(l => l.TokenHash.AsSpan().SequenceEqual(current[l.DeliveryId]))
            .ToDictionary(l => l.DeliveryId, l => l.ExpiresAt!.Value);
    }

    private DeliveryView ToView(Delivery d, IReadOnlyDictionary<Guid, DateTimeOffset>? linkExpiries) => new(d.Id, d.Status, d.CustomerName, d.CustomerEmail, d.CustomerPhone, d.Locale,
        d.TruckId, d.DriverId, Place(d.PickupAddress, d.PickupLocation), Place(d.DropoffAddress, d.DropoffLocation), d.PromisedTo,
        d.EstimatedArrivalAt, d.StatusChangedAt, d.PickedUpAt, d.DeliveredAt, d.ClosedAt, d.FailureReason, d.AtPickupAt, d.CreatedAt)
    {
        ShipperId = d.ShipperId, ExternalReference = d.ExternalReference, PromisedFrom = d.PromisedFrom,
        Fare = d.FareAmount is { } amount && d.FareCurrency is { } currency ? new Money(amount, currency) : null, NotifyBy = d.NotifyBy,
        UpdatedAt = d.UpdatedAt, TrackingLink = links.LinkOrNull(d.Id, d.TrackingTokenProtected)?.ToString(), TrackingLinkExpiresAt = linkExpiries is not null && linkExpiries.TryGetValue(d.Id, out var own) ? own : d.TrackingExpiresAt, Eta = Eta(d),
    };


    /// <summary>
    /// The estimate while the truck carries the goods to the drop-off (calculating until the first
    /// pass after pickup), "arriving" once it arrived; none before pickup or once closed.
    /// </summary>
    private static EtaView? Eta(Delivery d) => d.Status switch
    {
        DeliveryStatus.PickedUp or DeliveryStatus.InTransit => d is { EtaKind: { } kind, EtaUpdatedAt: { } at }
            ? new EtaView(kind, kind == EtaKind.Calculating ? null : d.EstimatedArrivalAt, at)
            : new EtaView(EtaKind.Calculating, null, d.StatusChangedAt),
        DeliveryStatus.Arrived => new EtaView(EtaKind.Arriving, d.StatusChangedAt, d.StatusChangedAt),
        _ => null,
    };

    private static PlaceView Place(string? address, NetTopologySuite.Geometries.Point? p) => new(address, p?.Y, p?.X);
}
