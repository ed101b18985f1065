using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Fleet;

/// <summary>The dispatcher's read side against real PostGIS.</summary>
public sealed class PostgresFleetQueriesTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Day = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private PostgresFleetQueries Queries => new(db.DataSource);

    private async Task TruckAsync(string id, string name, string? plate = null) =>
        await db.ExecuteAsync("INSERT INTO trucks (id, name, plate, created_at) VALUES ($1, $2, $3, now())", id, name, (object?)plate ?? DBNull.Value);

    private async Task<Guid> DriverAsync(string truckId, string name, DateTimeOffset createdAt)
    {
        var id = Guid.NewGuid();
        await db.ExecuteAsync("INSERT INTO drivers (id, name, truck_id, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            id, name, truckId, Guid.NewGuid().ToByteArray(), createdAt);
        return id;
    }

    private async Task<Guid> DeliveryAsync(string truckId, Guid? driverId, string customer, string status, DateTimeOffset createdAt)
    {
        var id = Guid.NewGuid();
        await db.ExecuteAsync(
            "INSERT INTO deliveries (id, tracking_token_hash, truck_id, driver_id, customer_name, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            id, Guid.NewGuid().ToByteArray(), truckId, (object?)driverId ?? DBNull.Value, customer, status, createdAt);
        return id;
    }

    private async Task PositionsAsync(string truckId, DateTimeOffset from, int count, TimeSpan every)
    {
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps)
            SELECT 's', 'shard-' || $1, g::text, $1, $2 + g * $4, $2 + g * $4, now(),
                   ST_SetSRID(ST_MakePoint(127 + g * 0.001, 37 + g * 0.001), 4326), 10
            FROM generate_series(0, $3 - 1) g
            """, truckId, from, count, every);
    }

    [Fact]
    public async Task lists_every_truck_with_driver_current_delivery_and_latest_position()
    {
        await TruckAsync("fq-a", "Truck A", "서울 12가 3456");
        await TruckAsync("fq-b", "Truck B");
        var old = await DriverAsync("fq-a", "Old Driver", Day.AddDays(-3));
        var assigned = await DriverAsync("fq-a", "Kim Minji", Day.AddDays(-2));
        await DriverAsync("fq-a", "Newest Driver", Day.AddDays(-1));
        await DeliveryAsync("fq-a", old, "Done Corp", "Delivered", Day.AddHours(5));
        await DeliveryAsync("fq-a", assigned, "Later Corp", "DriverAssigned", Day.AddHours(4));
        await DeliveryAsync("fq-a", assigned, "Failed Corp", "Failed", Day.AddHours(6));
        var current = await DeliveryAsync("fq-a", assigned, "ACME Logistics", "InTransit", Day.AddHours(1));
        await db.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number)
            VALUES ('fq-a', $1, $2, ST_SetSRID(ST_MakePoint(126.97, 37.55), 4326), 12.5, 90, 5, 'shard', '1')
            """, Day.AddHours(2), Day.AddHours(2).AddSeconds(1));

        // Only this test's trucks: the class shares one database and the other tests add theirs in any order.
        var trucks = (await Queries.ListTrucksAsync(default)).Where(t => t.TruckId is "fq-a" or "fq-b").ToList();

        Assert.Equal(["fq-a", "fq-b"], trucks.Select(t => t.TruckId));
        var a = trucks[0];
        Assert.Equal(("Truck A", "서울 12가 3456", "Kim Minji"), (a.Name, a.Plate, a.DriverName));
        Assert.Equal(new CurrentDelivery(current, "ACME Logistics", DeliveryStatus.InTransit), a.Delivery);
        Assert.Equal(new TruckPosition("fq-a", 37.55, 126.97, Day.AddHours(2), Day.AddHours(2).AddSeconds(1), 12.5, 90, 5), a.LatestPosition);
        var b = trucks[1];
        Assert.Equal(("Truck B", null, null, null, null), (b.Name, b.Plate, b.DriverName, b.Delivery, b.LatestPosition));
    }

    [Fact]
    public async Task without_a_delivery_the_driver_is_the_one_most_recently_given_the_truck()
    {
        await TruckAsync("fq-c", "Truck C");
        await DriverAsync("fq-c", "First", Day.AddDays(-2));
        await DriverAsync("fq-c", "Second", Day.AddDays(-1));
        await DeliveryAsync("fq-c", null, "Gone Corp", "Cancelled", Day);

        var c = (await Queries.ListTrucksAsync(default)).Single(t => t.TruckId == "fq-c");

        Assert.Equal("Second", c.DriverName);
        Assert.Null(c.Delivery);
    }

    [Fact]
    public async Task a_status_the_enum_does_not_name_fails_the_list_with_the_value()
    {
        await TruckAsync("fq-bad", "Truck Bad");
        var id = await DeliveryAsync("fq-bad", null, "Odd Corp", "intransit", Day);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => Queries.ListTrucksAsync(default));
            Assert.Contains("'intransit'", error.Message);
        }
        finally
        {
            // The class shares one database, and the other tests list every truck.
            await db.ExecuteAsync("DELETE FROM deliveries WHERE id = $1", id);
            await db.ExecuteAsync("DELETE FROM trucks WHERE id = 'fq-bad'");
        }
    }

    [Theory]
    [InlineData("4")]
    [InlineData(" InTransit")]
    [InlineData("InTransit, Arrived")]
    [InlineData("")]
    public void only_an_exact_status_name_is_read(string text) =>
        Assert.Throws<InvalidDataException>(() => PostgresFleetQueries.StatusOf(text));

    [Fact]
    public void every_status_name_reads_back_as_itself() =>
        Assert.All(Enum.GetValues<DeliveryStatus>(), s => Assert.Equal(s, PostgresFleetQueries.StatusOf(s.ToString())));

    [Fact]
    public async Task trail_is_since_the_given_time_oldest_first_and_complete_when_short()
    {
        await TruckAsync("fq-short", "Short");
        await PositionsAsync("fq-short", Day.AddHours(-1), 20, TimeSpan.FromMinutes(6));

        var trail = await Queries.GetTrailAsync("fq-short", Day, 100, default);

        Assert.Equal(10, trail.Count);
        Assert.Equal(Day, trail[0].RecordedAt);
        Assert.Equal(Day.AddMinutes(54), trail[^1].RecordedAt);
        Assert.Equal(37.01, trail[0].Latitude, 9);
        Assert.Equal(127.01, trail[0].Longitude, 9);
        Assert.True(trail.Zip(trail.Skip(1)).All(p => p.First.RecordedAt < p.Second.RecordedAt));
    }

    [Fact]
    public async Task long_trail_on_a_straight_road_is_simplified_keeping_first_newest_and_points_all_along_it()
    {
        await TruckAsync("fq-long", "Long");
        await PositionsAsync("fq-long", Day, 5000, TimeSpan.FromSeconds(1));

        var trail = await Queries.GetTrailAsync("fq-long", Day, 500, default);

        Assert.InRange(trail.Count, 490, 500);
        Assert.Equal(Day, trail[0].RecordedAt);
        Assert.Equal(Day.AddSeconds(4999), trail[^1].RecordedAt);
        // A straight line needs only its ends; the points it keeps anyway are spread along it, so no
        // stretch of the road (or of a replay's time) is left bare: no gap over twice the even one (10 s).
        var gaps = trail.Zip(trail.Skip(1)).Select(p => (p.Second.RecordedAt - p.First.RecordedAt).TotalSeconds).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 1, 20));
    }

    [Fact]
    public async Task unknown_truck_has_an_empty_trail()
    {
        Assert.Empty(await Queries.GetTrailAsync("fq-nobody", Day, 100, default));
    }
}
