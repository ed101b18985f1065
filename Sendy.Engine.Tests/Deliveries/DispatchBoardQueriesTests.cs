using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Fleet;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>The dispatcher's delivery list on PostgreSQL: which deliveries it holds, the names it resolves, drivers, links, the all-deliveries feed.</summary>
public sealed class DispatchBoardQueriesTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    // Status handlers wait here until a test runs them. Booking publishes synchronously after its
    // commit (this harness runs no relay), so once RunAll returns every handler a booking started has run.
    private readonly ManualWorkQueue _statusHandlers = new();
    private DeliveryHarness _h = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _h = new DeliveryHarness(_db, configure: services => services.Replace(ServiceDescriptor.Singleton(
            new StatusFanout(NullLogger<StatusFanout>.Instance) { HandlerQueue = _statusHandlers.Post })));
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _db.DisposeAsync();
    }

    private DispatchBoardQueries Queries => _h.Get<DispatchBoardQueries>();

    private Task<BookedDelivery> BookAsync(string customer, DateTimeOffset? planned = null) =>
        _h.Get<DeliveryBookingService>().BookAsync(new NewDelivery(customer, null, null, "en",
            new GeoAddress("Incheon port", 37.4563, 126.6052), new GeoAddress("Busan new port", 35.0790, 128.8200), planned), "dispatcher", default);

    [Fact]
    public async Task the_list_holds_open_deliveries_and_those_closed_since_the_cutoff_with_names_resolved()
    {
        var (truck, driver, assigned) = await _h.DeliveryAsync(DeliveryStatus.InTransit);
        var booked = await BookAsync("Kim Haneul", _h.Time.GetUtcNow().AddHours(3));
        var closed = await BookAsync("Closed Yesterday");
        var cancel = await _h.Statuses.ChangeAsync(new StatusChangeRequest(closed.Id, DeliveryStatus.Cancelled,
            StatusActor.Dispatcher("dispatcher"), "cancel-1", Reason: "customer called off"), default);
        Assert.Equal(StatusChangeOutcome.Changed, cancel.Outcome);

        var all = await Queries.ListAsync(DateTimeOffset.UtcNow.AddDays(-1), 100, default);
        // Open ones first by planned arrival (else creation), closed ones last.
        Assert.Equal([assigned, booked.Id, closed.Id], all.Select(r => r.Id).ToArray());

        var row = all.Single(r => r.Id == assigned);
        Assert.Equal((truck, "Truck", "경기 81바 1234", driver, "Minsu Kim"), (row.TruckId, row.TruckName, row.TruckPlate, row.DriverId, row.DriverName));
        Assert.Equal(("인천광역시 중구 서해대로 366", "부산광역시 강서구 신항로 295"), (row.PickupAddress, row.DropoffAddress));
        Assert.Equal(DeliveryStatus.InTransit, row.Status);
        Assert.Null(all.Single(r => r.Id == booked.Id).DriverName);
        var cancelled = all.Single(r => r.Id == closed.Id);
        Assert.True(cancelled.IsClosed);
        Assert.Equal("customer called off", cancelled.CloseReason);

        // A cutoff after the close leaves the closed one out; open ones stay whatever their age.
        var later = await Queries.ListAsync(DateTimeOffset.UtcNow.AddDays(1), 100, default);
        Assert.Equal([assigned, booked.Id], later.Select(r => r.Id).ToArray());
    }

    [Fact]
    public async Task drivers_come_with_their_truck_and_count_of_open_deliveries()
    {
        var (truck, driver, _) = await _h.DeliveryAsync(DeliveryStatus.PickedUp);
        var fleet = _h.Get<FleetRegistry>();
        await fleet.EnsureTruckAsync("T-idle", "Idle truck", null, default);
        var idle = await fleet.CreateDriverAsync("Ahn Yuna", "T-idle", default);

        var drivers = await Queries.DriversAsync(default);

        Assert.Equal(["Ahn Yuna", "Minsu Kim"], drivers.Select(d => d.DriverName).ToArray());
        Assert.Equal(new DriverChoice(idle.Entity.Id, "Ahn Yuna", "T-idle", "Idle truck", null, 0), drivers[0]);
        Assert.Equal((driver, truck, 1), (drivers[1].DriverId, drivers[1].TruckId, drivers[1].OpenDeliveries));
    }

    [Fact]
    public async Task the_tracking_link_is_the_booked_token_under_the_public_base_url()
    {
        var booked = await BookAsync("Link Customer");

        Assert.Equal(new Uri("http://sendy.test/t/" + booked.TrackingToken), await Queries.TrackingLinkAsync(booked.Id, default));
        Assert.Null(await Queries.TrackingLinkAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task the_all_deliveries_feed_hears_every_delivery_until_disposed()
    {
        var seen = new List<Guid>();
        var subscription = _h.Get<IAllDeliveriesStatusFeed>().SubscribeAll(change =>
        {
            seen.Add(change.DeliveryId);
            return Task.CompletedTask;
        });

        var first = await BookAsync("First");
        var second = await BookAsync("Second");
        _statusHandlers.RunAll();
        Assert.Equal(new[] { first.Id, second.Id }.Order(), seen.Order());

        subscription.Dispose();
        await BookAsync("Third");
        Assert.Equal(0, _statusHandlers.RunAll());
        Assert.Equal(2, seen.Count);
    }
}
