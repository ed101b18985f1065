using Npgsql;
using NpgsqlTypes;

namespace Sendy.Engine.Tracking;

/// <summary>One stored fix of a trail: where, when (device time), and what replays show with it.</summary>
internal readonly record struct TrailFix(double Latitude, double Longitude, DateTimeOffset RecordedAt, double? SpeedMps, double? HeadingDegrees);

/// <summary>
/// A truck's trail between two instants, its unflagged fixes in device-time order, simplified in
/// PostGIS to at most a given number of points whatever its length (a 12-hour delivery at a fix a
/// second is 43,200 fixes), for the customer's trail, the dispatcher's and the admin's replay.
/// Every point returned is a stored fix with its own device time. A trail that fits comes back whole.
/// <para>
/// Stops are always kept: wherever the truck stayed within <see cref="TrailOptions.StopRadiusMeters"/>
/// for at least <see cref="TrailOptions.StopMinDuration"/>, its first fix there (arrival) and its
/// last (departure, or the newest fix), so a replay shows it standing rather than crawling. A fix
/// starts a stay when the first fix at least the stop duration later is within the radius; stays
/// that overlap are one stop. The longest stops take at most half the points.
/// </para>
/// <para>
/// A span of more fixes than the points asked for (and more than 2,000, so a stop of minutes is
/// still many fixes long) is first thinned to every k-th stored fix (k the smallest that leaves at
/// most that many; first and newest fix always kept), and stops are found among those: a stop's
/// arrival and departure are then placed to within k fixes (a 12-hour delivery at a fix a second
/// asked for 2,000 points: 22 s). The stop search is window passes over the span, PostgreSQL's
/// slowest step here, so it runs over no more rows than the points asked for. Thinned to twice the
/// points instead (as before), the bench's 10-hour trail at a fix every 5 s cost the server 24 ms
/// rather than 13 ms for a line hardly closer: 99 % of its fixes lie within 11.4 m of that trail
/// and within 19.5 m of this one, all of them within 91 m and 94 m. Export
/// (<see cref="EveryFix"/>) is never thinned.
/// </para>
/// <para>
/// The shape: the fixes inside stops are left out, the rest are taken evenly down to four times the
/// points asked for (cheap, and finer than any screen shows), then Visvalingam–Whyatt ranks them
/// (<c>ST_SetEffectiveArea</c> on the line in metres: each vertex's area when it would be removed)
/// and the points with the largest areas fill what the stops left. Areas under a square metre count
/// as a straight road: among those, evenly spread points win, so a straight motorway keeps points
/// along its length. First and newest fix are always kept (their area is infinite). One statement,
/// an ordered pass over the truck's rows (an index-only scan of the positions key, which carries
/// every column read here), window functions over plain coordinates and one
/// <c>ST_SetEffectiveArea</c>, no row-by-row search.
/// </para>
/// </summary>
public static class SimplifiedTrail
{
    /// <summary>The point count that asks for every fix (the full track, for export).</summary>
    public const int EveryFix = int.MaxValue;

    // $1 truck, $2 from (inclusive), $3 until (exclusive; null: no end), $4 most points,
    // $5 stop radius (m), $6 stop duration. Distances within a stop are small: an equirectangular
    // approximation in metres is exact enough and far cheaper than ST_DistanceSphere per row.
    internal const string Sql = """
        WITH stored AS (
            SELECT count(*) AS m, ceil(count(*) / greatest($4, 2000)::numeric)::bigint AS step FROM positions
            WHERE truck_id = $1 AND recorded_at >= $2 AND recorded_at < coalesce($3, 'infinity') AND quality_flag IS NULL),
        track AS MATERIALIZED (
            SELECT recorded_at, x, y, speed_mps, heading_degrees, later_at, still, covered_until,
                   row_number() OVER w AS i,
                   sum((still AND recorded_at > coalesce(covered_until, '-infinity'))::int) OVER w AS stay
            FROM (
                SELECT *, max(later_at) FILTER (WHERE still)
                              OVER (ORDER BY recorded_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_until
                FROM (
                    SELECT recorded_at, x, y, speed_mps, heading_degrees, later_at,
                           later_at IS NOT NULL
                           AND (111320 * cos(radians(y)) * (later_x - x)) ^ 2 + (110540 * (later_y - y)) ^ 2 <= $5 ^ 2 AS still
                    FROM (
                        SELECT recorded_at, x, y, speed_mps, heading_degrees,
                               first_value(recorded_at) OVER later AS later_at,
                               first_value(x) OVER later AS later_x,
                               first_value(y) OVER later AS later_y
                        FROM (
                            SELECT recorded_at, ST_X(location) AS x, ST_Y(location) AS y, speed_mps, heading_degrees
                            FROM (
                                SELECT recorded_at, location, speed_mps, heading_degrees,
                                       row_number() OVER (ORDER BY recorded_at) AS j
                                FROM positions
                                WHERE truck_id = $1 AND recorded_at >= $2 AND recorded_at < coalesce($3, 'infinity') AND quality_flag IS NULL) every
                            WHERE j % (SELECT step FROM stored) = 0 OR j = 1 OR j = (SELECT m FROM stored)) thinned
                        WINDOW later AS (ORDER BY recorded_at RANGE BETWEEN $6 FOLLOWING AND UNBOUNDED FOLLOWING)) fixes) judged) covered
            WINDOW w AS (ORDER BY recorded_at)),
        total AS (SELECT count(*) AS n, ceil(count(*) / (4.0 * $4))::bigint AS every FROM track),
        stops AS (
            SELECT min(recorded_at) AS arrived, max(later_at) AS departed
            FROM track WHERE still GROUP BY stay),
        stop_points AS (
            SELECT v.at
            FROM (SELECT arrived, departed, row_number() OVER (ORDER BY departed - arrived DESC) AS r FROM stops) s
            CROSS JOIN LATERAL (VALUES (s.arrived), (s.departed)) v(at)
            WHERE s.r <= $4 / 4),
        sample AS (
            SELECT i, x, y, row_number() OVER (ORDER BY i) AS k
            FROM track CROSS JOIN total
            WHERE n > $4 AND recorded_at >= coalesce(covered_until, '-infinity')
              AND (i % every = 0 OR i = 1 OR i = n OR recorded_at IN (SELECT at FROM stop_points))),
        shape AS (
            SELECT (d).path[1] AS k, round(ST_M((d).geom)) AS area
            FROM (SELECT ST_SetEffectiveArea(ST_Scale(ST_MakeLine(ST_MakePoint(x, y) ORDER BY k),
                                                      111320 * cos(radians(min(y))), 110540)) AS line
                  FROM sample) l
            CROSS JOIN LATERAL ST_DumpPoints(l.line) d),
        kept AS (
            SELECT s.i
            FROM (SELECT k, row_number() OVER (ORDER BY area DESC, k & -k DESC, k) AS r FROM shape) ranked
            JOIN sample s USING (k)
            WHERE ranked.r <= $4 - (SELECT count(*) FROM stop_points))
        SELECT y, x, recorded_at, speed_mps, heading_degrees, m
        FROM track CROSS JOIN total CROSS JOIN stored
        WHERE n <= $4 OR i IN (SELECT i FROM kept) OR recorded_at IN (SELECT at FROM stop_points)
        ORDER BY i
        """;

    /// <summary>
    /// The fixes of <paramref name="truckId"/> from <paramref name="from"/> until <paramref name="until"/>
    /// (exclusive; null: up to the newest), at most <paramref name="maxPoints"/> of them (at least 2:
    /// first and newest), and how many unflagged fixes the span holds.
    /// </summary>
    internal static async Task<(List<TrailFix> Fixes, long Stored)> ReadAsync(NpgsqlDataSource dataSource, string truckId,
        DateTimeOffset from, DateTimeOffset? until, int maxPoints, TrailOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        await using var command = dataSource.CreateCommand(Sql);
        AddParameters(command, truckId, from, until, maxPoints, options);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var fixes = new List<TrailFix>();
        long stored = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            fixes.Add(new TrailFix(reader.GetDouble(0), reader.GetDouble(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4)));
            stored = reader.GetInt64(5);
        }
        return (fixes, stored);
    }

    /// <summary><see cref="Sql"/>'s parameters, in its order.</summary>
    internal static void AddParameters(NpgsqlCommand command, string truckId, DateTimeOffset from, DateTimeOffset? until, int maxPoints, TrailOptions options)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = truckId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.TimestampTz,
            Value = until is { } u ? u.ToUniversalTime() : DBNull.Value,
        });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxPoints });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = options.StopRadiusMeters });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.StopMinDuration });
    }
}
