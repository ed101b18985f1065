using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

/// <summary>
/// Trails simplified in PostGIS (<see cref="SimplifiedTrail"/>), on real PostgreSQL: a delivery of
/// any length comes back in at most the points asked for, with its first and newest fix and every
/// stop, each point a stored fix with its own device time; a short one comes back whole; flagged
/// fixes of both kinds are never part of it; the full track is there when asked for.
/// </summary>
public sealed class SimplifiedTrailTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset From = new(2026, 11, 20, 18, 0, 0, TimeSpan.Zero); // crosses midnight (UTC): two daily partitions
    private const double MetersPerSecond = 15;

    /// <summary>Where the truck stood still: from <see cref="Start"/> seconds after <see cref="From"/>, for <see cref="Seconds"/>.</summary>
    private sealed record Stop(int Start, int Seconds)
    {
        public DateTimeOffset Arrived => From.AddSeconds(Start);

        public DateTimeOffset Left => From.AddSeconds(Start + Seconds);
    }

    private PostgresFleetQueries Fleet(TrailOptions? options = null) => new(db.DataSource, options is null ? null : Options.Create(options));

    private static string NewTruck() => "ST-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// A fix a second for <paramref name="seconds"/> from <see cref="From"/>, driving east at 15 m/s
    /// along a road that winds 1 km either side, standing at each of <paramref name="stops"/> with
    /// 2 m of GPS jitter (deterministic).
    /// </summary>
    private async Task DriveAsync(string truck, int seconds, params Stop[] stops)
    {
        await db.AddTruckAsync(truck);
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                                   speed_mps, heading_degrees, accuracy_meters)
            SELECT 's', 'shard-t', g::text, $1, $2 + g * interval '1 second', $2 + g * interval '1 second', now(),
                   ST_SetSRID(ST_MakePoint(127 + d * 0.00001 + CASE WHEN parked THEN 0.00002 * sin(g * 1.7) ELSE 0 END,
                                           37 + 0.01 * sin(d / 3000.0) + CASE WHEN parked THEN 0.00002 * cos(g * 2.3) ELSE 0 END), 4326),
                   CASE WHEN parked THEN 0 ELSE $6 END, 90, 5
            FROM (SELECT g,
                         $6 * (g - (SELECT coalesce(sum(least(greatest(g - s, 0), l)), 0) FROM unnest($4::int[], $5::int[]) AS st(s, l))) AS d,
                         EXISTS (SELECT 1 FROM unnest($4::int[], $5::int[]) AS st(s, l) WHERE g BETWEEN s AND s + l) AS parked
                  FROM generate_series(0, $3 - 1) g) f
            """, truck, From, seconds, stops.Select(s => s.Start).ToArray(), stops.Select(s => s.Seconds).ToArray(), MetersPerSecond);
    }

    /// <summary>Where the road of <see cref="DriveAsync"/> has the truck at <paramref name="stop"/>.</summary>
    private static (double Lat, double Lon) PlaceOf(Stop stop, Stop[] stops)
    {
        var driven = MetersPerSecond * (stop.Start - stops.Where(s => s.Start < stop.Start).Sum(s => s.Seconds));
        return (37 + 0.01 * Math.Sin(driven / 3000.0), 127 + driven * 0.00001);
    }

    /// <summary>
    /// The trail shows the stop: a point there when the truck arrived and one when it left, to within
    /// <paramref name="thinnedTo"/> (a span of more fixes than the points asked, and than 2,000, is thinned
    /// to every k-th fix before stops are found; k fixes a second apart).
    /// </summary>
    private static void AssertStopKept(IReadOnlyList<TrailPoint> trail, Stop stop, Stop[] stops, int thinnedTo = 0)
    {
        var (lat, lon) = PlaceOf(stop, stops);
        var there = trail.Where(p => EtaEstimator.DistanceMeters(lat, lon, p.Latitude, p.Longitude) <= 60).Select(p => p.RecordedAt).ToList();
        Assert.True(there.Count >= 2, $"the stop at {stop.Arrived:HH:mm:ss} has {there.Count} points");
        Assert.InRange(there.Min(), stop.Arrived.AddSeconds(-10 - thinnedTo), stop.Arrived.AddSeconds(thinnedTo));
        Assert.InRange(there.Max(), stop.Left.AddSeconds(-thinnedTo), stop.Left.AddSeconds(10 + thinnedTo));
    }

    /// <summary>How many of the points are stored, unflagged fixes of the truck with exactly that place and device time.</summary>
    private Task<long> StoredAsync(string truck, IReadOnlyList<TrailPoint> trail) => db.ScalarAsync<long>("""
        SELECT count(*)
        FROM unnest($2::timestamptz[], $3::float8[], $4::float8[]) AS u(at, lat, lon)
        JOIN positions p ON p.truck_id = $1 AND p.recorded_at = u.at AND ST_Y(p.location) = u.lat AND ST_X(p.location) = u.lon
        WHERE p.quality_flag IS NULL
        """, truck, trail.Select(p => p.RecordedAt.UtcDateTime).ToArray(), trail.Select(p => p.Latitude).ToArray(), trail.Select(p => p.Longitude).ToArray());

    /// <summary>
    /// The farthest any unflagged fix of the truck lies from the trail's segment drawn for its time
    /// (between the trail's points before and after it), in metres.
    /// </summary>
    private Task<double> FarthestFixAsync(string truck, IReadOnlyList<TrailPoint> trail) => db.ScalarAsync<double>("""
        WITH segments AS (
            SELECT at AS t1, lead(at) OVER (ORDER BY at) AS t2, ST_MakeLine(g, lead(g) OVER (ORDER BY at)) AS line
            FROM (SELECT at, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g FROM unnest($2::timestamptz[], $3::float8[], $4::float8[]) AS u(at, lat, lon)) pts)
        SELECT max(d.meters)
        FROM segments s
        CROSS JOIN LATERAL (
            SELECT ST_Distance(p.location::geography, s.line::geography) AS meters
            FROM positions p
            WHERE p.truck_id = $1 AND p.recorded_at BETWEEN s.t1 AND s.t2 AND p.quality_flag IS NULL) d
        WHERE s.t2 IS NOT NULL
        """, truck, trail.Select(p => p.RecordedAt.UtcDateTime).ToArray(), trail.Select(p => p.Latitude).ToArray(), trail.Select(p => p.Longitude).ToArray());

    [Fact]
    public async Task twelve_hours_at_a_fix_a_second_come_back_in_2000_stored_points_with_both_ends_every_stop_and_the_road()
    {
        var truck = NewTruck();
        Stop[] stops = [new(7_200, 600), new(18_000, 1_800), new(28_800, 360)];
        await DriveAsync(truck, 43_200, [.. stops, new Stop(36_000, 120)]); // and a 2-minute halt, which is no stop

        var trail = await Fleet().GetTrailAsync(truck, From, 2_000, default);

        Assert.InRange(trail.Count, 1_960, 2_000); // every 22nd fix (1,964), the newest too
        Assert.Equal((From, From.AddSeconds(43_199)), (trail[0].RecordedAt, trail[^1].RecordedAt));
        Assert.True(trail.Zip(trail.Skip(1)).All(p => p.First.RecordedAt < p.Second.RecordedAt));
        Assert.Equal(trail.Count, await StoredAsync(truck, trail));
        Stop[] all = [.. stops, new Stop(36_000, 120)];
        foreach (var stop in stops) AssertStopKept(trail, stop, all, thinnedTo: 22); // 43,200 fixes thinned to every 22nd first
        Assert.InRange(await FarthestFixAsync(truck, trail), 0, 25); // 648 km of winding road: every fix within 25 m of the line drawn for its time

        // The full detail, for export: nothing forces simplification.
        Assert.Equal(43_200, (await Fleet().GetTrailAsync(truck, From, SimplifiedTrail.EveryFix, default)).Count);
    }

    [Fact]
    public async Task a_trail_that_fits_comes_back_whole_stops_and_all()
    {
        var truck = NewTruck();
        await DriveAsync(truck, 1_500, new Stop(600, 400));

        var trail = await Fleet().GetTrailAsync(truck, From, 2_000, default);

        Assert.Equal(Enumerable.Range(0, 1_500).Select(s => From.AddSeconds(s)), trail.Select(p => p.RecordedAt));
        Assert.Equal(1_500, await StoredAsync(truck, trail));
    }

    /// <summary>Every 97th fix a jump 30 km north, every 89th a coarse fix 2 km south: stored, flagged; returns how many.</summary>
    private async Task<long> FlagSomeAsync(string truck)
    {
        await db.ExecuteAsync("""
            UPDATE positions SET location = ST_Translate(location, 0, 0.27), quality_flag = 'impossible-jump: 1,000 km/h'
            WHERE truck_id = $1 AND (extract(epoch FROM recorded_at - $2)::int % 97) = 50
            """, truck, From);
        await db.ExecuteAsync("""
            UPDATE positions SET location = ST_Translate(location, 0, -0.018), accuracy_meters = 900,
                                 quality_flag = 'low-accuracy: 900 m reported (limit 100 m)'
            WHERE truck_id = $1 AND (extract(epoch FROM recorded_at - $2)::int % 89) = 40 AND quality_flag IS NULL
            """, truck, From);
        return await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1 AND quality_flag IS NOT NULL", truck);
    }

    [Fact]
    public async Task flagged_fixes_of_both_kinds_are_never_part_of_a_trail_long_or_short()
    {
        var (longOne, shortOne) = (NewTruck(), NewTruck());
        Stop[] stops = [new(5_000, 900)];
        await DriveAsync(longOne, 20_000, stops);
        await DriveAsync(shortOne, 1_500, stops);
        var flagged = await FlagSomeAsync(longOne);
        var flaggedShort = await FlagSomeAsync(shortOne);
        Assert.InRange(flagged, 400, 500);

        var simplified = await Fleet().GetTrailAsync(longOne, From, 1_000, default);
        var full = await Fleet().GetTrailAsync(longOne, From, SimplifiedTrail.EveryFix, default);
        var whole = await Fleet().GetTrailAsync(shortOne, From, 2_000, default);

        Assert.InRange(simplified.Count, 990, 1_000);
        Assert.Equal(simplified.Count, await StoredAsync(longOne, simplified)); // none of them flagged
        Assert.InRange(await FarthestFixAsync(longOne, simplified), 0, 25);   // no spike towards a wild fix
        AssertStopKept(simplified, stops[0], stops, thinnedTo: 10); // about 19,550 unflagged fixes: every 10th, then 1,000 of them by shape
        Assert.Equal(20_000 - flagged, full.Count);
        Assert.Equal(full.Count, await StoredAsync(longOne, full));
        Assert.Equal(1_500 - flaggedShort, whole.Count);
        Assert.Equal(whole.Count, await StoredAsync(shortOne, whole));
    }

    [Fact]
    public async Task more_stops_than_half_the_points_keep_the_longest_and_never_more_than_asked()
    {
        var truck = NewTruck();
        // Ten stops of 6 to 15 minutes, ten minutes of driving between them.
        var stops = Enumerable.Range(0, 10).Select(k => new Stop(600 + k * (600 + 900), 360 + k * 60)).ToArray();
        await DriveAsync(truck, 600 + 10 * 1_500, stops);

        var trail = await Fleet().GetTrailAsync(truck, From, 20, default);

        Assert.InRange(trail.Count, 10, 20);
        foreach (var stop in stops.OrderByDescending(s => s.Seconds).Take(5)) AssertStopKept(trail, stop, stops, thinnedTo: 8); // 15,600 fixes: every 8th
        Assert.Equal((From, From.AddSeconds(600 + 10 * 1_500 - 1)), (trail[0].RecordedAt, trail[^1].RecordedAt));
    }

    [Fact]
    public async Task what_counts_as_a_stop_comes_from_the_trail_options()
    {
        var truck = NewTruck();
        Stop[] halt = [new(3_000, 240)];
        await DriveAsync(truck, 7_200, halt);

        var trail = await Fleet(new TrailOptions { StopMinDuration = TimeSpan.FromMinutes(3), StopRadiusMeters = 20 }).GetTrailAsync(truck, From, 10, default);

        Assert.InRange(trail.Count, 4, 10);
        AssertStopKept(trail, halt[0], halt, thinnedTo: 4); // four minutes count with a three-minute stop (7,200 fixes: every 4th)
    }

    [Fact]
    public async Task the_smallest_trail_is_the_first_and_the_newest_fix()
    {
        var truck = NewTruck();
        await DriveAsync(truck, 3_000, new Stop(1_000, 600));

        var trail = await Fleet().GetTrailAsync(truck, From, 2, default);

        Assert.Equal([From, From.AddSeconds(2_999)], trail.Select(p => p.RecordedAt));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Fleet().GetTrailAsync(truck, From, 1, default));
    }

    [Fact]
    public async Task the_admin_replay_of_a_long_delivery_is_simplified_to_the_end_inclusive_with_speed_and_heading()
    {
        var truck = NewTruck();
        Stop[] stops = [new(10_000, 1_200)];
        await DriveAsync(truck, 36_001, stops);
        var delivery = Guid.NewGuid();
        await db.ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, truck_id, customer_name, status, created_at, picked_up_at, delivered_at, closed_at)
            VALUES ($1, $2, $3, 'Replay Corp', 'Delivered', $4, $4, $5, $5)
            """, delivery, Guid.NewGuid().ToByteArray(), truck, From, From.AddHours(10));

        var route = (await new DeliveryHistoryQueries(new Contexts(db), db.DataSource, TimeProvider.System).RouteAsync(delivery, 2_000, default))!;

        Assert.Equal(36_001, route.StoredCount);
        Assert.True(route.Downsampled);
        Assert.InRange(route.Points.Count, 1_890, 2_000); // every 19th fix (1,895), the last too
        Assert.Equal((From, From.AddHours(10)), (route.Points[0].RecordedAt, route.Points[^1].RecordedAt)); // the fix at delivery is in
        var trail = route.Points.Select(p => new TrailPoint(p.Latitude, p.Longitude, p.RecordedAt)).ToList();
        AssertStopKept(trail, stops[0], stops, thinnedTo: 19); // 36,001 fixes: every 19th
        Assert.Equal(trail.Count, await StoredAsync(truck, trail));
        Assert.All(route.Points, p => Assert.Equal((90.0, true), (p.HeadingDegrees!.Value, p.SpeedMps is 0 or MetersPerSecond)));
    }

    private sealed class Contexts(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }

    [Theory]
    [InlineData("StopRadiusMeters", 1.0, 300)]
    [InlineData("StopRadiusMeters", 5_000.0, 300)]
    [InlineData("StopMinDuration", 50.0, 10)]
    [InlineData("StopMinDuration", 50.0, 200_000)]
    public void trail_options_out_of_range_fail_on_start(string named, double radiusMeters, int stopSeconds)
    {
        var services = new ServiceCollection();
        services.AddOptions<TrailOptions>().Configure(o =>
        {
            o.StopRadiusMeters = radiusMeters;
            o.StopMinDuration = TimeSpan.FromSeconds(stopSeconds);
        }).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TrailOptions>>().Value);
        Assert.Contains(named, error.Message);
    }
}
