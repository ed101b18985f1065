using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Exports;

/// <summary>
/// Track exports from PostgreSQL. Positions are partitioned by UTC day on <c>recorded_at</c>: the
/// read names the truck and a <c>recorded_at</c> range, so PostgreSQL opens only the partitions of
/// those days and walks each one's (truck_id, recorded_at) key in order. Rows stream from the
/// connection as the caller writes them; nothing holds the whole track.
/// </summary>
public sealed class PostgresTrackQueries(IDbContextFactory<SendyDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time)
    : ITrackQueries
{
    internal const string TrackSql = """
        SELECT recorded_at, ST_Y(location), ST_X(location), speed_mps, heading_degrees, accuracy_meters, quality_flag, received_at
        FROM positions
        WHERE truck_id = $1 AND recorded_at >= $2 AND recorded_at < $3
        ORDER BY recorded_at
        """;

    /// <summary>PostgreSQL keeps microseconds: one past the end makes an inclusive end exclusive.</summary>
    private static readonly TimeSpan OneMicrosecond = TimeSpan.FromTicks(10);

    public async Task<DeliveryTrackSpan> DeliverySpanAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Select(d => new { d.TruckId, d.CreatedAt, d.PickedUpAt, d.DeliveredAt, d.ClosedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (delivery is null) return DeliveryTrackSpan.Missing;
        if (delivery.TruckId is not { } truckId) return new DeliveryTrackSpan(true, null);
        var assignedAt = await db.StatusEvents.AsNoTracking()
            .Where(e => e.DeliveryId == deliveryId && e.ToStatus == DeliveryStatus.DriverAssigned)
            .OrderBy(e => e.OccurredAt).Select(e => (DateTimeOffset?)e.OccurredAt).FirstOrDefaultAsync(cancellationToken);
        // The replay's window (DeliveryHistoryQueries.RouteAsync), so the file holds every fix of what the page plays.
        var from = assignedAt ?? delivery.PickedUpAt ?? delivery.CreatedAt;
        var to = delivery.DeliveredAt ?? delivery.ClosedAt ?? time.GetUtcNow();
        return new DeliveryTrackSpan(true, new TrackSpan(truckId, from, to + OneMicrosecond));
    }

    public async Task<bool> TruckExistsAsync(string truckId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Trucks.AsNoTracking().AnyAsync(t => t.Id == truckId, cancellationToken);
    }

    public async IAsyncEnumerable<TrackPoint> ReadAsync(TrackSpan span, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(TrackSql);
        AddParameters(command, span);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return new TrackPoint(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetDouble(1), reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7));
    }

    internal static void AddParameters(NpgsqlCommand command, TrackSpan span)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = span.TruckId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = span.From.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = span.To.ToUniversalTime() });
    }
}
