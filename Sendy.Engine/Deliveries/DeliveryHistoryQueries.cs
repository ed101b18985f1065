using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// One delivery's full history for admins: header, status timeline, notifications, and the route
/// its truck drove, read from <c>positions</c> over the (truck_id, recorded_at) index and simplified
/// in the database (<see cref="SimplifiedTrail"/>: stops kept, so the replay shows the truck standing).
/// </summary>
/// <param name="trails">What counts as a stop on a route (the defaults when null).</param>
public sealed class DeliveryHistoryQueries(IDbContextFactory<SendyDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time,
    IOptions<TrailOptions>? trails = null)
    : IDeliveryHistoryQueries
{
    private readonly TrailOptions _trails = trails?.Value ?? new TrailOptions();

    public async Task<DeliveryHistory?> GetAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null) return null;
        var summary = await DeliveryLogQueries.Deliveries(db).FirstAsync(x => x.DeliveryId == deliveryId, cancellationToken);
        var plate = summary.TruckPlate;
        var events = await DeliveryLogQueries.Events(db).Where(x => x.DeliveryId == deliveryId)
            .OrderBy(x => x.OccurredAt).ThenBy(x => x.EventId).ToListAsync(cancellationToken);
        var notifications = await (
                from o in db.Outbox.AsNoTracking()
                join e in db.StatusEvents on o.StatusEventId equals e.Id
                join s in db.NotificationsSent on o.Id equals s.OutboxId into sent
                from s in sent.DefaultIfEmpty()
                where o.DeliveryId == deliveryId
                orderby o.CreatedAt, o.Id
                select new NotificationLogRow(o.Id, o.StatusEventId, e.ToStatus, o.Channel, o.CreatedAt, o.EnqueuedAt,
                    s == null ? null : s.SentAt, s == null ? null : s.Result))
            .ToListAsync(cancellationToken);
        return new DeliveryHistory(DeliveryLogQueries.ToRow(summary), plate,
            new PlaceView(delivery.PickupAddress, delivery.PickupLocation?.Y, delivery.PickupLocation?.X),
            new PlaceView(delivery.DropoffAddress, delivery.DropoffLocation?.Y, delivery.DropoffLocation?.X),
            delivery.PromisedTo, delivery.EstimatedArrivalAt, delivery.ClosedAt, delivery.FailureReason,
            events.Select(DeliveryLogQueries.ToRow).ToList(), notifications);
    }

    public async Task<DeliveryRoute?> RouteAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Select(d => new { d.TruckId, d.CreatedAt, d.PickedUpAt, d.DeliveredAt, d.ClosedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (delivery?.TruckId is not { } truckId) return null;
        var assignedAt = await db.StatusEvents.AsNoTracking()
            .Where(e => e.DeliveryId == deliveryId && e.ToStatus == DeliveryStatus.DriverAssigned)
            .OrderBy(e => e.OccurredAt).Select(e => (DateTimeOffset?)e.OccurredAt).FirstOrDefaultAsync(cancellationToken);

        // From the assignment, so the drive to the pickup is part of the replay; to delivery, the close, or now.
        var from = assignedAt ?? delivery.PickedUpAt ?? delivery.CreatedAt;
        var to = delivery.DeliveredAt ?? delivery.ClosedAt ?? time.GetUtcNow();
        var (points, stored) = await PositionsAsync(truckId, from, to, maxPoints, cancellationToken);
        return new DeliveryRoute(from, to, assignedAt is not null, points, stored);
    }

    private async Task<(List<RoutePoint> Points, int Stored)> PositionsAsync(string truckId, DateTimeOffset from, DateTimeOffset to,
        int maxPoints, CancellationToken cancellationToken)
    {
        // The end is part of the route (the fix taken at the moment of delivery): PostgreSQL keeps microseconds.
        var (fixes, stored) = await SimplifiedTrail.ReadAsync(dataSource, truckId, from, to.AddTicks(TimeSpan.TicksPerMicrosecond), maxPoints,
            _trails, cancellationToken);
        return (fixes.ConvertAll(f => new RoutePoint(f.Latitude, f.Longitude, f.RecordedAt, f.SpeedMps, f.HeadingDegrees)), (int)stored);
    }
}
