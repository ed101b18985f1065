using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>Geofences on PostGIS: the truck's latest stored position against pickup and drop-off.</summary>
public sealed class GeofenceTests : DeliveryDatabaseTests
{
    private Task PositionAsync(string truckId, double lat, double lon, DateTimeOffset at) => Db.ExecuteAsync("""
        INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, shard_id, sequence_number)
        VALUES ($1, $2, $2, ST_SetSRID(ST_MakePoint($4, $3), 4326), 's', '1')
        ON CONFLICT (truck_id) DO UPDATE SET recorded_at = excluded.recorded_at, location = excluded.location
        """, truckId, at, lat, lon);

    private Task<string> StatusAsync(Guid id) => Db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", id);

    [Fact]
    public async Task in_transit_within_the_radius_of_the_drop_off_becomes_arrived_by_the_system()
    {
        var (truck, _, delivery) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        // ~100 m north of the drop-off (35.0790, 128.8200).
        await PositionAsync(truck, 35.0799, 128.8200, DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(1, await H.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal(0, await H.Get<GeofenceWatcher>().CheckOnceAsync(default)); // once only

        Assert.Equal("Arrived", await StatusAsync(delivery));
        Assert.Equal("System", await Db.ScalarAsync<string>("SELECT actor_kind FROM delivery_status_events WHERE delivery_id = $1 AND to_status = 'Arrived'", delivery));
        // "where" is the truck's position at the time.
        Assert.Equal(35.0799, await Db.ScalarAsync<double>("SELECT ST_Y(location) FROM delivery_status_events WHERE delivery_id = $1 AND to_status = 'Arrived'", delivery), 4);
    }

    [Fact]
    public async Task outside_the_radius_nothing_happens()
    {
        var (truck, _, delivery) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        await PositionAsync(truck, 35.0820, 128.8200, DateTimeOffset.UtcNow.AddMinutes(1)); // ~330 m

        Assert.Equal(0, await H.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal("InTransit", await StatusAsync(delivery));
    }

    [Fact]
    public async Task a_fix_older_than_the_last_status_change_does_not_count()
    {
        var (truck, _, delivery) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        await PositionAsync(truck, 35.0790, 128.8200, DateTimeOffset.UtcNow.AddHours(-1));

        Assert.Equal(0, await H.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal("InTransit", await StatusAsync(delivery));
    }

    [Fact]
    public async Task near_the_pickup_it_suggests_picked_up_without_changing_the_status()
    {
        var (truck, driver, delivery) = await H.DeliveryAsync(DeliveryStatus.EnRouteToPickup);
        var seen = new TaskCompletionSource<DeliveryStatusChanged>();
        using var _ = H.Get<IDeliveryStatusFeed>().Subscribe(delivery, c => { seen.TrySetResult(c); return Task.CompletedTask; });
        await PositionAsync(truck, 37.4565, 126.6050, DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(1, await H.Get<GeofenceWatcher>().CheckOnceAsync(default));

        Assert.Equal("EnRouteToPickup", await StatusAsync(delivery));
        Assert.True((await seen.Task.WaitAsync(TimeSpan.FromSeconds(10))).AtPickup);
        var current = await H.Get<DeliveryQueries>().CurrentForDriverAsync(driver, default);
        Assert.True(current!.AtPickup);
        Assert.Equal(DeliveryStatus.PickedUp, current.NextStatuses[0]);
    }
}
