using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Exports;
using Sendy.Engine.History;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Exports;

/// <summary>
/// What the track exports read, on the real PostgreSQL with positions partitioned by UTC day:
/// every fix of a span in device-time order across partitions, only the partitions of the span's
/// days opened, and the span of a delivery as the admin replay draws it.
/// </summary>
public sealed class TrackQueriesTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    // Days of their own, far from today: no other partitions or maintenance job meddle with them.
    private static readonly DateOnly Day1 = new(2026, 10, 1);
    private static readonly DateTimeOffset Midnight = PositionPartitions.StartOf(Day1.AddDays(1));
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);

    private PostgresTrackQueries Queries => new(new ContextFactory(db), db.DataSource, _time);

    private async Task PartitionsAsync(params DateOnly[] days)
    {
        foreach (var day in days)
            await db.ExecuteAsync($"""
                CREATE TABLE IF NOT EXISTS {PositionPartitions.NameOf(day)} PARTITION OF positions
                FOR VALUES FROM ('{PositionPartitions.StartOf(day):O}') TO ('{PositionPartitions.StartOf(day.AddDays(1)):O}')
                """);
    }

    private async Task<string> TruckAsync()
    {
        var truck = "X-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        return truck;
    }

    private Task FixAsync(string truck, DateTimeOffset at, double lat, double lon, string? flag = null, double? speed = 10, double? accuracy = 5) =>
        db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                                   speed_mps, heading_degrees, accuracy_meters, quality_flag)
            VALUES ('s', 'shard', $2::text, $1, $2, $2 + interval '2 seconds', now(), ST_SetSRID(ST_MakePoint($4, $3), 4326), $5, 90, $6, $7)
            """, truck, at, lat, lon, (object?)speed ?? DBNull.Value, (object?)accuracy ?? DBNull.Value, (object?)flag ?? DBNull.Value);

    private async Task<List<TrackPoint>> ReadAsync(TrackSpan span)
    {
        var points = new List<TrackPoint>();
        await foreach (var p in Queries.ReadAsync(span, default)) points.Add(p);
        return points;
    }

    [Fact]
    public async Task a_span_across_utc_midnight_reads_both_days_in_device_time_order_flagged_fixes_included()
    {
        await PartitionsAsync(Day1, Day1.AddDays(1));
        var truck = await TruckAsync();
        var other = await TruckAsync();
        // Written out of order, as late fixes arrive.
        await FixAsync(truck, Midnight.AddSeconds(30), 37.5003, 127.0003);
        await FixAsync(truck, Midnight.AddMinutes(-2), 37.5000, 127.0000);
        await FixAsync(truck, Midnight.AddTicks(-10), 37.5001, 127.0001, flag: "jump: 950 km/h from the last good fix", speed: null, accuracy: null);
        await FixAsync(truck, Midnight, 37.5002, 127.0002);
        await FixAsync(truck, Midnight.AddMinutes(-3), 37.4, 127.0); // before the span
        await FixAsync(truck, Midnight.AddMinutes(1), 37.6, 127.1); // the span's end is excluded
        await FixAsync(other, Midnight.AddSeconds(10), 35.1, 129.0);

        var points = await ReadAsync(new TrackSpan(truck, Midnight.AddMinutes(-2), Midnight.AddMinutes(1)));

        Assert.Equal([Midnight.AddMinutes(-2), Midnight.AddTicks(-10), Midnight, Midnight.AddSeconds(30)], points.Select(p => p.RecordedAt));
        Assert.Equal([37.5000, 37.5001, 37.5002, 37.5003], points.Select(p => Math.Round(p.Latitude, 7)));
        Assert.Equal([127.0000, 127.0001, 127.0002, 127.0003], points.Select(p => Math.Round(p.Longitude, 7)));
        var flagged = points[1];
        Assert.Equal(("jump: 950 km/h from the last good fix", (double?)null, (double?)null), (flagged.QualityFlag, flagged.SpeedMps, flagged.AccuracyMeters));
        Assert.Equal((10.0, 90.0, 5.0, Midnight.AddSeconds(2)), (points[2].SpeedMps, points[2].HeadingDegrees, points[2].AccuracyMeters, points[2].ReceivedAt));
        // The fixes really sit in two partitions: the read crossed them.
        Assert.Equal(2L, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT tableoid) FROM positions WHERE truck_id = $1 AND recorded_at >= $2 AND recorded_at < $3",
            truck, Midnight.AddMinutes(-2), Midnight.AddMinutes(1)));
    }

    [Fact]
    public async Task the_read_opens_only_the_partitions_of_the_spans_days()
    {
        await PartitionsAsync(Day1.AddDays(-1), Day1, Day1.AddDays(1), Day1.AddDays(2));
        var truck = await TruckAsync();

        await using var explain = db.DataSource.CreateCommand("EXPLAIN " + PostgresTrackQueries.TrackSql);
        PostgresTrackQueries.AddParameters(explain, new TrackSpan(truck, Midnight.AddHours(-15), Midnight.AddHours(9)));
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        var text = string.Join('\n', plan);

        Assert.Contains(PositionPartitions.NameOf(Day1), text);
        Assert.Contains(PositionPartitions.NameOf(Day1.AddDays(1)), text);
        Assert.DoesNotContain(PositionPartitions.NameOf(Day1.AddDays(-1)), text);
        Assert.DoesNotContain(PositionPartitions.NameOf(Day1.AddDays(2)), text);
        Assert.DoesNotContain(PositionPartitions.Default, text);
    }

    [Fact]
    public async Task a_deliverys_span_runs_from_its_first_assignment_to_delivery_with_the_delivered_instant_included()
    {
        await PartitionsAsync(Day1, Day1.AddDays(1));
        var truck = await TruckAsync();
        var created = Midnight.AddHours(-3);
        var assigned = Midnight.AddHours(-2);
        var delivered = Midnight.AddHours(2);
        var delivery = await DeliveryAsync(truck, created, pickedUp: Midnight.AddHours(-1), delivered: delivered);
        await EventAsync(delivery, "DriverAssigned", assigned);
        await EventAsync(delivery, "DriverAssigned", assigned.AddMinutes(30)); // a later reassignment: the first one counts
        await FixAsync(truck, assigned.AddTicks(-10), 37.1, 127.1);
        await FixAsync(truck, assigned, 37.2, 127.2);
        await FixAsync(truck, delivered, 37.3, 127.3);
        await FixAsync(truck, delivered.AddTicks(10), 37.4, 127.4);

        var span = await Queries.DeliverySpanAsync(delivery, default);

        Assert.True(span.Exists);
        Assert.Equal(new TrackSpan(truck, assigned, delivered.AddTicks(10)), span.Track);
        Assert.Equal([assigned, delivered], (await ReadAsync(span.Track!)).Select(p => p.RecordedAt));
    }

    [Fact]
    public async Task an_open_delivery_without_assignment_runs_from_pickup_to_now()
    {
        var truck = await TruckAsync();
        var delivery = await DeliveryAsync(truck, Now.AddHours(-5), pickedUp: Now.AddHours(-4), delivered: null);

        var span = await Queries.DeliverySpanAsync(delivery, default);

        Assert.Equal(new TrackSpan(truck, Now.AddHours(-4), Now.AddTicks(10)), span.Track);
    }

    [Fact]
    public async Task an_unknown_delivery_is_missing_and_one_without_a_truck_has_no_track()
    {
        Assert.Equal(DeliveryTrackSpan.Missing, await Queries.DeliverySpanAsync(Guid.NewGuid(), default));

        var unassigned = await DeliveryAsync(null, Now.AddHours(-1), null, null);
        Assert.Equal(new DeliveryTrackSpan(true, null), await Queries.DeliverySpanAsync(unassigned, default));
    }

    [Fact]
    public async Task a_truck_exists_only_once_registered()
    {
        var truck = await TruckAsync();
        Assert.True(await Queries.TruckExistsAsync(truck, default));
        Assert.False(await Queries.TruckExistsAsync(truck + "-nope", default));
    }

    private async Task<Guid> DeliveryAsync(string? truck, DateTimeOffset created, DateTimeOffset? pickedUp, DateTimeOffset? delivered)
    {
        var id = Guid.NewGuid();
        await db.ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, truck_id, customer_name, status, created_at, picked_up_at, delivered_at, closed_at)
            VALUES ($1, $2, $3, 'Export Corp', $4, $5, $6, $7, $7)
            """, id, Guid.NewGuid().ToByteArray(), (object?)truck ?? DBNull.Value, delivered is null ? "InTransit" : "Delivered", created,
            (object?)pickedUp ?? DBNull.Value, (object?)delivered ?? DBNull.Value);
        return id;
    }

    private Task EventAsync(Guid delivery, string to, DateTimeOffset at) => db.ExecuteAsync("""
        INSERT INTO delivery_status_events (id, delivery_id, from_status, to_status, actor_kind, actor_id, occurred_at, idempotency_key)
        VALUES ($1, $2, 'Booked', $3, 'Dispatcher', 'test', $4, $5)
        """, Guid.NewGuid(), delivery, to, at, Guid.NewGuid().ToString());

    private sealed class ContextFactory(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }
}
