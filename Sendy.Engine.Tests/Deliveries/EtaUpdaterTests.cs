using System.Globalization;
using Npgsql;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Eta;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>The server's arrival estimate on PostGIS, with fake time: what API clients read as the current ETA.</summary>
public sealed class EtaUpdaterTests : DeliveryDatabaseTests
{
    private const double DropoffLat = 35.0790, DropoffLon = 128.8200; // the harness's drop-off
    private const double MetersPerDegree = 6_371_008.8 * Math.PI / 180; // along a meridian, haversine is exact
    private const double Speed = 20; // m/s, straight north towards the drop-off


    private EtaUpdater Updater => H.Get<EtaUpdater>();

    private async Task FixAsync(string truck, double lat, DateTimeOffset at, string? flag = null) => await Db.ExecuteAsync("""
        INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, quality_flag)
        VALUES ('s', 'shardId-0', $1, $2, $3, $3, $3, ST_SetSRID(ST_MakePoint($5, $4), 4326), $6)
        """, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + truck, truck, at, lat, DropoffLon, (object?)flag ?? DBNull.Value);

    /// <summary>A fix every 10 s for six minutes, driving north at 20 m/s; returns the last fix's latitude and time.</summary>
    private async Task<(double Lat, DateTimeOffset At)> DriveAsync(string truck, DateTimeOffset from)
    {
        var (lat, at) = (34.9, from);
        for (var i = 0; i <= 36; i++)
        {
            (lat, at) = (34.9 + i * Speed * 10 / MetersPerDegree, from.AddSeconds(10 * i));
            await FixAsync(truck, lat, at);
        }
        return (lat, at);
    }

    private Task<DeliveryView?> ViewAsync(Guid id) => H.Get<DeliveryQueries>().GetAsync(id, default);

    [Fact]
    public async Task a_truck_on_its_way_gets_an_estimate_from_its_recent_speed_and_it_is_written_only_when_it_moves()
    {
        var (truck, _, delivery) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        var (lat, last) = await DriveAsync(truck, H.Time.GetUtcNow().AddMinutes(1));
        H.Time.SetUtcNow(last.AddSeconds(10));
        var before = (await ViewAsync(delivery))!;
        Assert.Equal(new EtaView(EtaKind.Calculating, null, before.StatusChangedAt), before.Eta); // no pass yet

        Assert.Equal(1, await Updater.UpdateOnceAsync(default));

        var remaining = (DropoffLat - lat) * MetersPerDegree * EtaSettings.Default.RoadFactor;
        var view = (await ViewAsync(delivery))!;
        Assert.Equal(EtaKind.Estimated, view.Eta!.Kind);
        Assert.Equal(last.AddSeconds(remaining / Speed), view.Eta.At!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(H.Time.GetUtcNow(), view.Eta.UpdatedAt, TimeSpan.FromMilliseconds(1));
        Assert.True(view.UpdatedAt > before.UpdatedAt, "the ETA write moves updated_at, so a client listing changes sees it");

        // Nothing new: nothing written. A flagged fix at the drop-off is no arrival.
        H.Time.Advance(TimeSpan.FromSeconds(10));
        await FixAsync(truck, DropoffLat, last.AddSeconds(5), flag: "impossible-jump: 900 km/h");
        Assert.Equal(0, await Updater.UpdateOnceAsync(default));
        Assert.Equal(view.Eta.At, (await ViewAsync(delivery))!.Eta!.At);
    }

    [Fact]
    public async Task a_truck_gone_quiet_turns_calculating_and_the_api_shows_no_time()
    {
        var (truck, _, delivery) = await H.DeliveryAsync(DeliveryStatus.PickedUp);
        var (_, last) = await DriveAsync(truck, H.Time.GetUtcNow().AddMinutes(1));
        H.Time.SetUtcNow(last.AddSeconds(10));
        Assert.Equal(1, await Updater.UpdateOnceAsync(default));

        H.Time.SetUtcNow(last + EtaSettings.Default.StaleAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Updater.UpdateOnceAsync(default));

        var eta = (await ViewAsync(delivery))!.Eta!;
        Assert.Equal((EtaKind.Calculating, (DateTimeOffset?)null), (eta.Kind, eta.At));
    }

    [Fact]
    public async Task before_pickup_and_once_closed_there_is_no_estimate_and_arrived_says_arriving()
    {
        var (truck, driver, delivery) = await H.DeliveryAsync(DeliveryStatus.EnRouteToPickup);
        await DriveAsync(truck, H.Time.GetUtcNow().AddMinutes(1));
        H.Time.Advance(TimeSpan.FromMinutes(7));

        Assert.Equal(0, await Updater.UpdateOnceAsync(default));
        Assert.Null((await ViewAsync(delivery))!.Eta);

        foreach (var next in new[] { DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived })
            await H.Statuses.ChangeAsync(new StatusChangeRequest(delivery, next, StatusActor.Driver(driver), "eta-" + next), default);
        Assert.Equal(EtaKind.Arriving, (await ViewAsync(delivery))!.Eta!.Kind);
        await H.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.Delivered, StatusActor.Driver(driver), "eta-done"), default);
        Assert.Null((await ViewAsync(delivery))!.Eta);
    }

    [Fact]
    public async Task one_node_at_a_time_runs_a_pass()
    {
        var (truck, _, _) = await H.DeliveryAsync(DeliveryStatus.InTransit);
        var (_, last) = await DriveAsync(truck, H.Time.GetUtcNow().AddMinutes(1));
        H.Time.SetUtcNow(last.AddSeconds(10));

        await using (var other = await Db.DataSource.OpenConnectionAsync())
        {
            await using var tx = await other.BeginTransactionAsync();
            await using var hold = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", other, tx) { Parameters = { new() { Value = EtaUpdater.LockKey } } };
            await hold.ExecuteNonQueryAsync();
            Assert.Equal(0, await Updater.UpdateOnceAsync(default)); // another node's pass is running
        }

        Assert.Equal(1, await Updater.UpdateOnceAsync(default));
    }
}
