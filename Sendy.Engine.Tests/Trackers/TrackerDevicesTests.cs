using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Trackers;

namespace Sendy.Engine.Tests.Trackers;

/// <summary>
/// The device lookup asks PostgreSQL every time (a reissued id stops at once), and only when
/// PostgreSQL does not answer falls back to what this node found lately, so trackers keep
/// reporting through a database outage.
/// </summary>
public sealed class TrackerDevicesTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly Outage _contexts = new(db);

    private sealed class Outage(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public bool Down { get; set; }

        public SendyDbContext CreateDbContext() => Down ? throw new NpgsqlException("connection refused (test outage)") : db.CreateContext();
    }

    private async Task<(string Truck, string DeviceId, FleetRegistry Registry)> TruckWithTrackerAsync()
    {
        var registry = new FleetRegistry(_contexts, TestLinks.Create(), _time);
        var truck = "TD-" + Guid.NewGuid().ToString("N")[..8];
        await registry.EnsureTruckAsync(truck, truck, null, default);
        return (truck, (await registry.IssueDeviceIdAsync(truck, default))!, registry);
    }

    [Fact]
    public async Task a_device_found_lately_keeps_working_through_an_outage_for_the_grace_and_no_longer()
    {
        var (truck, deviceId, _) = await TruckWithTrackerAsync();
        var devices = new TrackerDevices(_contexts, _time);
        Assert.Equal(truck, await devices.FindTruckAsync(deviceId, default));

        _contexts.Down = true;
        _time.Advance(TrackerDevices.OutageGrace);
        Assert.Equal(truck, await devices.FindTruckAsync(deviceId, default));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TrackerLookupUnavailableException>(() => devices.FindTruckAsync(deviceId, default));
    }

    [Fact]
    public async Task while_the_database_answers_a_reissued_id_stops_at_once_and_stays_stopped_in_an_outage()
    {
        var (truck, oldId, registry) = await TruckWithTrackerAsync();
        var devices = new TrackerDevices(_contexts, _time);
        Assert.Equal(truck, await devices.FindTruckAsync(oldId, default));

        var newId = (await registry.IssueDeviceIdAsync(truck, default))!;
        Assert.Null(await devices.FindTruckAsync(oldId, default));
        Assert.Equal(truck, await devices.FindTruckAsync(newId, default));

        _contexts.Down = true;
        await Assert.ThrowsAsync<TrackerLookupUnavailableException>(() => devices.FindTruckAsync(oldId, default));
        await Assert.ThrowsAsync<TrackerLookupUnavailableException>(() => devices.FindTruckAsync("never-seen", default));
        Assert.Equal(truck, await devices.FindTruckAsync(newId, default));
    }
}
