using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// One delivery's full history for admins: header, status timeline, notifications, and the route
/// its truck drove, read from <c>positions</c> over the (truck_id, recorded_at) index and thinned
/// in the database.
/// </summary>
public sealed class DeliveryHistoryQueries(IDbContextFactory<SendyDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time)
    : IDeliveryHistoryQueries
{
    // Every stride-th fix from the first, plus the last; stride chosen so the total stays <= max.
    private const string RouteSql = """
        WITH pts AS (
            SELECT location, recorded_at, speed_mps, heading_degrees,
                   row_number() OVER (ORDER BY recorded_at) - 1 AS i,
                   count(*) OVER () AS n
            FROM positions
            WHERE truck_id = $1 AND recorded_at >= $2 AND recorded_at <= $3 AND quality_flag IS NULL)
        SELECT ST_Y(location), ST_X(location), recorded_at, speed_mps, heading_degrees, n
        FROM pts
        WHERE n <= $4 OR i = n - 1 OR i % ceil((n - 1)::numeric / ($4 - 2))::bigint = 0
        ORDER BY recorded_at
        """;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 3);
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
        await using var command = dataSource.CreateCommand(RouteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = truckId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxPoints });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<RoutePoint>();
        long stored = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new RoutePoint(reader.GetDouble(0), reader.GetDouble(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4)));
            stored = reader.GetInt64(5);
        }
        return (points, (int)stored);
    }
}
