using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Ingest;
using Sendy.Engine.Storage;
using Sendy.Engine.Trackers;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Fleet;

/// <summary>An admin's truck and driver changes, and their lists, on real PostgreSQL.</summary>
public sealed class FleetAdminTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private IDbContextFactory<SendyDbContext> Contexts => new ContextFactory(db);

    private FleetRegistry Registry => new(Contexts, TestLinks.Create(), _time);

    private FleetAdmin Admin(DriverTokenCache? drivers = null) => new(Contexts, Registry, drivers ?? NewDriverCache(), _time);

    private TrackerDevices Devices => new(Contexts, _time);

    private DriverTokenCache NewDriverCache() => new(new EfTrackingQueries(Contexts, db.DataSource, _time), _time);

    private FleetAdminQueries Queries => new(Contexts);

    private static string NewId() => "T-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task a_new_truck_is_stored_trimmed_with_blank_optionals_as_null()
    {
        var id = NewId();
        var result = await Admin().CreateTruckAsync($"  {id} ", new TruckInput(" Sendy 1 ", "  "), default);

        Assert.True(result.Succeeded);
        var listed = Assert.Single(await Queries.ListTrucksAsync(default), t => t.Id == id);
        Assert.Equal(new TruckSummary(id, "Sendy 1", null, TrackerIdKind.None, null, 0, Now), listed);
    }

    [Theory]
    [InlineData("", "id", FleetError.Required)]
    [InlineData("has space", "id", FleetError.BadTruckId)]
    [InlineData("트럭-1", "id", FleetError.BadTruckId)]
    [InlineData("-leading", "id", FleetError.BadTruckId)]
    [InlineData("a/b", "id", FleetError.BadTruckId)]
    public async Task a_bad_truck_id_is_refused_with_the_field_named(string id, string field, FleetError error)
    {
        var result = await Admin().CreateTruckAsync(id, new TruckInput("Name", null), default);

        var problem = Assert.Single(result.Problems);
        Assert.Equal((field, error), (problem.Field, problem.Error));
    }

    [Fact]
    public async Task over_long_fields_are_refused_with_their_limits_and_nothing_is_stored()
    {
        var id = new string('A', FleetRules.MaxTruckId + 1);
        var result = await Admin().CreateTruckAsync(id, new TruckInput(new string('n', 201), new string('p', 33)), default);

        Assert.Equal(
            [("id", FleetError.TooLong, 64), ("name", FleetError.TooLong, 200), ("plate", FleetError.TooLong, 32)],
            result.Problems.Select(p => (p.Field, p.Error, p.Limit ?? 0)));
        Assert.DoesNotContain(await Queries.ListTrucksAsync(default), t => t.Id.StartsWith("AAAA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_taken_truck_id_is_a_problem_not_an_exception()
    {
        var id = NewId();
        Assert.True((await Admin().CreateTruckAsync(id, new TruckInput("First", null), default)).Succeeded);

        var again = await Admin().CreateTruckAsync(id, new TruckInput("Second", null), default);

        Assert.Equal(new FleetProblem("id", FleetError.TruckIdTaken), Assert.Single(again.Problems));
        Assert.Equal("First", (await Queries.ListTrucksAsync(default)).Single(t => t.Id == id).Name);
    }

    [Fact]
    public async Task an_issued_tracker_id_is_a_128_bit_secret_stored_only_as_its_hash_and_a_new_one_stops_it_at_once()
    {
        var id = NewId();
        Assert.True((await Admin().CreateTruckAsync(id, new TruckInput("Truck", null), default)).Succeeded);

        var first = (await Admin().IssueTrackerIdAsync(id, default)).Value!;
        Assert.Equal(id, await Devices.FindTruckAsync(first, default));
        var second = (await Admin().IssueTrackerIdAsync(id, default)).Value!;

        Assert.Matches("^[0-9a-hjkmnp-tv-z]{26}$", first); // 26 x 5 bits = 130 bits
        Assert.NotEqual(first, second);
        Assert.Null(await Devices.FindTruckAsync(first, default)); // no cache anywhere: every node stops it now
        Assert.Equal(id, await Devices.FindTruckAsync(second, default));
        await using var db = await Contexts.CreateDbContextAsync();
        var stored = await db.Trucks.SingleAsync(t => t.Id == id);
        Assert.Equal(TrackerIds.Hash(second), stored.DeviceIdHash);
        Assert.Equal((false, Now), (stored.DeviceIdLegacy, stored.DeviceIdSetAt));
        Assert.Equal(new TruckSummary(id, "Truck", null, TrackerIdKind.Issued, Now, 0, Now), (await Queries.ListTrucksAsync(default)).Single(t => t.Id == id));
    }

    [Fact]
    public async Task a_legacy_id_held_by_another_truck_names_that_truck_and_bad_ones_are_refused()
    {
        var (holder, other) = (NewId(), NewId());
        var device = "dev-" + Guid.NewGuid().ToString("N")[..6];
        Assert.True((await Admin().CreateTruckAsync(holder, new TruckInput("Holder", null), default)).Succeeded);
        Assert.True((await Admin().CreateTruckAsync(other, new TruckInput("Other", null), default)).Succeeded);
        Assert.True((await Admin().SetLegacyTrackerIdAsync(holder, $"  {device} ", default)).Succeeded);

        Assert.Equal(new FleetProblem("deviceId", FleetError.DeviceIdTaken, Detail: holder),
            Assert.Single((await Admin().SetLegacyTrackerIdAsync(other, device, default)).Problems));
        Assert.Equal(FleetError.BadDeviceId, Assert.Single((await Admin().SetLegacyTrackerIdAsync(other, "a b", default)).Problems).Error);
        Assert.Equal(FleetError.Required, Assert.Single((await Admin().SetLegacyTrackerIdAsync(other, " ", default)).Problems).Error);
        Assert.Equal((FleetError.TooLong, 128),
            Assert.Single((await Admin().SetLegacyTrackerIdAsync(other, new string('d', 129), default)).Problems) is var p ? (p.Error, p.Limit) : default);
        Assert.Equal(FleetError.UnknownTruck, Assert.Single((await Admin().SetLegacyTrackerIdAsync("NOPE-" + other, "x", default)).Problems).Error);

        Assert.Equal(holder, await Devices.FindTruckAsync(device, default));
        Assert.Equal(TrackerIdKind.Legacy, (await Queries.ListTrucksAsync(default)).Single(t => t.Id == holder).Tracker);
        Assert.Equal(TrackerIdKind.None, (await Queries.ListTrucksAsync(default)).Single(t => t.Id == other).Tracker);

        Assert.True((await Admin().RemoveTrackerIdAsync(holder, default)).Succeeded);
        Assert.Null(await Devices.FindTruckAsync(device, default));
        Assert.True((await Admin().SetLegacyTrackerIdAsync(other, device, default)).Succeeded); // free again
    }

    [Fact]
    public async Task editing_a_truck_changes_name_and_plate()
    {
        var id = NewId();
        Assert.True((await Admin().CreateTruckAsync(id, new TruckInput("Truck", null), default)).Succeeded);

        var result = await Admin().UpdateTruckAsync(id, new TruckInput("Renamed", "경기 81바 1234"), default);

        Assert.True(result.Succeeded);
        Assert.Equal(new TruckSummary(id, "Renamed", "경기 81바 1234", TrackerIdKind.None, null, 0, Now),
            (await Queries.ListTrucksAsync(default)).Single(t => t.Id == id));
    }

    [Fact]
    public async Task editing_an_unknown_truck_says_so()
    {
        var result = await Admin().UpdateTruckAsync("NOPE-" + NewId(), new TruckInput("Name", null), default);

        Assert.Equal(FleetError.UnknownTruck, Assert.Single(result.Problems).Error);
    }

    [Fact]
    public async Task a_new_driver_gets_a_working_token_and_is_listed_with_the_truck_name()
    {
        var truck = NewId();
        await Admin().CreateTruckAsync(truck, new TruckInput("Sendy 7", null), default);

        var result = await Admin().CreateDriverAsync(" 김민수 ", truck, default);

        Assert.True(result.Succeeded);
        var found = await new EfTrackingQueries(Contexts, db.DataSource, _time).FindDriverAsync(result.Value!.Token, default);
        Assert.Equal(new DriverIdentity(result.Value.Entity.Id, "김민수", truck), found);
        Assert.Contains(new DriverSummary(result.Value.Entity.Id, "김민수", truck, "Sendy 7", Now), await Queries.ListDriversAsync(default));
        Assert.Equal(1, (await Queries.ListTrucksAsync(default)).Single(t => t.Id == truck).DriverCount);
    }

    [Fact]
    public async Task a_driver_needs_a_name_and_an_existing_truck()
    {
        var blank = await Admin().CreateDriverAsync("  ", "", default);
        var unknownTruck = await Admin().CreateDriverAsync("Minsu", "NOPE-" + NewId(), default);

        Assert.Equal([("name", FleetError.Required), ("truckId", FleetError.Required)], blank.Problems.Select(p => (p.Field, p.Error)));
        Assert.Equal(new FleetProblem("truckId", FleetError.UnknownTruck), Assert.Single(unknownTruck.Problems));
    }

    [Fact]
    public async Task a_new_link_replaces_the_old_one()
    {
        var truck = NewId();
        await Admin().CreateTruckAsync(truck, new TruckInput("Truck", null), default);
        var driver = (await Admin().CreateDriverAsync("Minsu", truck, default)).Value!;
        var queries = new EfTrackingQueries(Contexts, db.DataSource, _time);

        var issued = await Admin().IssueDriverLinkAsync(driver.Entity.Id, default);

        Assert.True(issued.Succeeded);
        Assert.NotEqual(driver.Token, issued.Value);
        Assert.Null(await queries.FindDriverAsync(driver.Token, default));
        Assert.Equal(driver.Entity.Id, (await queries.FindDriverAsync(issued.Value!, default))!.DriverId);
        Assert.Equal(FleetError.UnknownDriver, Assert.Single((await Admin().IssueDriverLinkAsync(Guid.NewGuid(), default)).Problems).Error);
    }

    [Fact]
    public async Task this_nodes_token_cache_follows_a_new_link_and_a_move_at_once()
    {
        var (first, second) = (NewId(), NewId());
        await Admin().CreateTruckAsync(first, new TruckInput("First", null), default);
        await Admin().CreateTruckAsync(second, new TruckInput("Second", null), default);
        var cache = NewDriverCache();
        var driver = (await Admin(drivers: cache).CreateDriverAsync("Minsu", first, default)).Value!;
        Assert.Equal(first, (await cache.FindAsync(driver.Token, default))!.TruckId); // now cached for 30 s

        await Admin(drivers: cache).ReassignDriverAsync(driver.Entity.Id, second, default);
        Assert.Equal(second, (await cache.FindAsync(driver.Token, default))!.TruckId);

        var newToken = (await Admin(drivers: cache).IssueDriverLinkAsync(driver.Entity.Id, default)).Value!;
        Assert.Null(await cache.FindAsync(driver.Token, default));
        Assert.Equal(driver.Entity.Id, (await cache.FindAsync(newToken, default))!.DriverId);
    }

    [Fact]
    public async Task a_driver_moves_to_another_truck_unless_a_delivery_of_theirs_is_open()
    {
        var (first, second) = (NewId(), NewId());
        await Admin().CreateTruckAsync(first, new TruckInput("First", null), default);
        await Admin().CreateTruckAsync(second, new TruckInput("Second", null), default);
        var driver = (await Admin().CreateDriverAsync("Minsu", first, default)).Value!.Entity;

        var moved = await Admin().ReassignDriverAsync(driver.Id, second, default);
        Assert.True(moved.Succeeded);
        Assert.Equal(second, (await Queries.ListDriversAsync(default)).Single(d => d.Id == driver.Id).TruckId);

        var delivery = await Registry.CreateDeliveryAsync(second, driver.Id, "Jiwoo", DeliveryStatus.InTransit, default);
        var refused = await Admin().ReassignDriverAsync(driver.Id, first, default);
        Assert.Equal(new FleetProblem("truckId", FleetError.DriverOnDelivery), Assert.Single(refused.Problems));

        await db.ExecuteAsync("UPDATE deliveries SET status = 'Delivered', closed_at = now() WHERE id = $1", delivery.Entity.Id);
        Assert.True((await Admin().ReassignDriverAsync(driver.Id, first, default)).Succeeded);
        Assert.Equal(FleetError.UnknownTruck, Assert.Single((await Admin().ReassignDriverAsync(driver.Id, "NOPE-" + NewId(), default)).Problems).Error);
        Assert.Equal(FleetError.UnknownDriver, Assert.Single((await Admin().ReassignDriverAsync(Guid.NewGuid(), first, default)).Problems).Error);
    }

    private sealed class ContextFactory(TestDatabase db) : IDbContextFactory<SendyDbContext>
    {
        public SendyDbContext CreateDbContext() => db.CreateContext();
    }
}
