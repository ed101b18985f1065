using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tracking;

/// <summary>
/// <see cref="ITrackingQueries"/> on PostgreSQL: the link lookup through EF Core, the trail
/// (<see cref="SimplifiedTrail"/>) and recent fixes in plain SQL.
/// </summary>
/// <param name="trails">What counts as a stop on a trail (the defaults when null).</param>
public sealed class EfTrackingQueries(IDbContextFactory<SendyDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time,
    IOptions<TrailOptions>? trails = null) : ITrackingQueries
{
    private readonly TrailOptions _trails = trails?.Value ?? new TrailOptions();

    // The span a customer's trail covers: from pickup (or the truck's assignment, when it was
    // reassigned later) until the delivery closed; none before pickup.
    private const string SpanSql = """
        SELECT truck_id, GREATEST(picked_up_at, truck_assigned_at), closed_at
        FROM deliveries
        WHERE id = $1 AND picked_up_at IS NOT NULL AND truck_id IS NOT NULL
        """;

    private const string RecentSql = """
        SELECT p.truck_id, ST_Y(p.location), ST_X(p.location), p.recorded_at, p.received_at,
               p.speed_mps, p.heading_degrees, p.accuracy_meters
        FROM deliveries d JOIN positions p ON p.truck_id = d.truck_id
        WHERE d.id = $1 AND d.closed_at IS NULL AND p.recorded_at >= $2 AND p.quality_flag IS NULL
          AND (d.truck_assigned_at IS NULL OR p.recorded_at >= d.truck_assigned_at)
        ORDER BY p.recorded_at DESC
        LIMIT $3
        """;

    /// <summary>Enough for one fix a second over ten minutes.</summary>
    private const int MaxRecentFixes = 1_200;

    public async Task<TrackingLookup> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!AccessTokens.LooksValid(token)) return TrackingLookup.Unknown;
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (
            from l in db.TrackingLinks.AsNoTracking()
            where l.TokenHash == hash
            join d in db.Deliveries on l.DeliveryId equals d.Id
            join t in db.Trucks on d.TruckId equals t.Id into trucks
            from t in trucks.DefaultIfEmpty()
            join dr in db.Drivers on d.DriverId equals dr.Id into drivers
            from dr in drivers.DefaultIfEmpty()
            join p in db.LatestPositions on d.TruckId equals p.TruckId into latest
            from p in latest.DefaultIfEmpty()
            select new
            {
                d.Id, d.CustomerName, d.Status, d.ClosedAt, d.TrackingExpiresAt, LinkExpiresAt = l.ExpiresAt, l.RevokedAt, d.PickupAddress, d.PickupLocation,
                d.DropoffAddress, d.DropoffLocation, TruckId = t == null ? null : t.Id, Name = t == null ? null : t.Name,
                Plate = t == null ? null : t.Plate, DriverName = dr == null ? null : dr.Name, Position = p
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return TrackingLookup.Unknown;
        // A revoked or expired link tells the customer only that: nothing of the delivery is read.
        // Revoking always wins; a link's own expiry (extended) replaces the delivery's default.
        if (row.RevokedAt is not null) return TrackingLookup.Revoked;
        if ((row.LinkExpiresAt ?? row.TrackingExpiresAt) is { } expires && expires <= time.GetUtcNow()) return TrackingLookup.Expired;
        var timeline = (await db.StatusEvents.AsNoTracking().Where(e => e.DeliveryId == row.Id)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken)).Select(StatusEventView.Of).ToList();
        // The truck is shown only while the delivery is open.
        var position = row.Position is null || row.ClosedAt is not null ? null : ToPosition(row.Position);
        return TrackingLookup.Active(new TrackingView(row.Id, row.TruckId, row.Name, row.Plate, FirstName(row.DriverName), row.CustomerName,
            row.Status, position, timeline, Place(row.PickupAddress, row.PickupLocation), Place(row.DropoffAddress, row.DropoffLocation)));
    }

    public async Task<IReadOnlyList<TrailPoint>> GetTrailSincePickupAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        string truckId;
        DateTimeOffset since;
        DateTimeOffset? until;
        await using (var command = dataSource.CreateCommand(SpanSql))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = deliveryId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) return [];
            (truckId, since) = (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));
            until = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
        }
        var (fixes, _) = await SimplifiedTrail.ReadAsync(dataSource, truckId, since, until, maxPoints, _trails, cancellationToken);
        return fixes.ConvertAll(f => new TrailPoint(f.Latitude, f.Longitude, f.RecordedAt));
    }

    public async Task<IReadOnlyList<TruckPosition>> GetRecentFixesAsync(Guid deliveryId, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RecentSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = deliveryId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = (time.GetUtcNow() - window).ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MaxRecentFixes });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var fixes = new List<TruckPosition>();
        while (await reader.ReadAsync(cancellationToken))
            fixes.Add(new TruckPosition(reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                NullableDouble(reader, 5), NullableDouble(reader, 6), NullableDouble(reader, 7)));
        fixes.Reverse();
        return fixes;
    }

    public async Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken)
    {
        if (!AccessTokens.LooksValid(token)) return null;
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Drivers.AsNoTracking()
            .Where(d => d.TokenHash == hash)
            .Select(d => new DriverIdentity(d.Id, d.Name, d.TruckId))
            .FirstOrDefaultAsync(cancellationToken);
    }

    internal static TruckPosition ToPosition(LatestPosition p) => new(p.TruckId, p.Location.Y, p.Location.X, p.RecordedAt,
        p.ReceivedAt, p.SpeedMps, p.HeadingDegrees, p.AccuracyMeters);

    private static TrackingPlace? Place(string? address, Point? location) =>
        location is null ? null : new TrackingPlace(address, location.Y, location.X);

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>Customers see the driver's first name only.</summary>
    private static string? FirstName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : name.Trim().Split(' ', 2)[0];
}
