using Sendy.Console.Map;
using Bunit;
using Sendy.Console.Components.Pages.Track;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Track;

/// <summary>The customer's page in each state of the delivery and of the link, and the ETA it shows.</summary>
public sealed class TrackPageStateTests : TrackPageContext
{
    private const string Token = TestData.TrackingToken;
    private static readonly Guid Id = TestData.Delivery().DeliveryId;
    private static readonly double MetersPerDegree = EtaEstimator.DistanceMeters(0, 0, 1, 0);

    private static StatusEventView Event(DeliveryStatus to, DateTimeOffset at, string? reason = null) =>
        new(Guid.NewGuid(), Id, null, to, StatusActorKind.Driver, "d", at, null, null, null, reason);

    private static TrackingView View(DeliveryStatus status, TruckPosition? latest = null, params StatusEventView[] timeline) =>
        TestData.Delivery(latest, status) with { Pickup = TestData.Pickup, Dropoff = TestData.Dropoff, Timeline = timeline };

    /// <summary>Five minutes due north at 10 m/s, one fix every 5 s, ending 0.05 degrees (5.56 km) south of the place at Start.</summary>
    private static List<TruckPosition> Approach(TrackingPlace place, double speedMps = 10) =>
        Enumerable.Range(0, 61).Select(i => TestData.Position(
            place.Latitude - 0.05 - speedMps * (60 - i) * 5 / MetersPerDegree, place.Longitude, Start.AddSeconds(-(60 - i) * 5))).ToList();

    private IRenderedComponent<TrackPage> Open() => Render<TrackPage>(p => p.Add(x => x.Token, Token));

    // Coordinates cross to map.js as whole microdegrees (TruckMap.Micro).
    private static double[] FocusOf(JSRuntimeInvocation call) => [(int)call.Arguments[1]! / 1e6, (int)call.Arguments[2]! / 1e6];

    private static object? Micro(double degrees) => TruckMap.Micro(degrees);

    [Fact]
    public void before_pickup_the_driver_is_on_the_way_with_an_eta_to_the_pickup()
    {
        var fixes = Approach(TestData.Pickup);
        Queries.Deliveries[Token] = View(DeliveryStatus.EnRouteToPickup, fixes[^1], Event(DeliveryStatus.EnRouteToPickup, Start.AddMinutes(-10)));
        Queries.RecentFixes[Id] = fixes;

        var page = Open();

        Assert.Contains("The driver is on the way to pick up your goods", page.Find("[data-testid=headline]").TextContent);
        page.WaitForAssertion(() => Assert.Equal("Estimated", page.Find("[data-testid=eta]").GetAttribute("data-kind")));
        Assert.Contains("Estimated arrival at pickup", page.Find("[data-testid=eta]").TextContent);
        // 5,560 m x 1.3 road factor at 10 m/s = 723 s after 18:00 KST.
        Assert.Equal("18:12", page.Find("[data-testid=eta-time]").TextContent);
        Assert.Equal("in 13 min · 7.2 km to go", page.Find("[data-testid=eta-detail]").TextContent);
        Assert.Equal([TestData.Pickup.Latitude, TestData.Pickup.Longitude], FocusOf(MapModule.Invocations["setFocus"].Single()));
        Assert.Equal(["pickup", Micro(TestData.Pickup.Latitude), Micro(TestData.Pickup.Longitude), "Pickup", TestData.Pickup.Address,
            "dropoff", Micro(TestData.Dropoff.Latitude), Micro(TestData.Dropoff.Longitude), "Drop-off", TestData.Dropoff.Address],
            (object?[])MapModule.Invocations["setPlaces"].Single().Arguments[1]!);
        Assert.Null(MapModule.Invocations["setTrail"].Single().Arguments[1]);
        Assert.Equal(0, Queries.TrailRequests);
        Assert.Contains("인천광역시 중구 서해대로 366", page.Find("[data-testid=pickup-address]").TextContent);
    }

    [Fact]
    public async Task in_transit_the_trail_is_loaded_once_then_extended_by_positions_without_re_rendering_the_page()
    {
        var fixes = Approach(TestData.Dropoff);
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, fixes[^1]);
        Queries.RecentFixes[Id] = fixes;
        Queries.Trails[Id] = [new TrailPoint(37.4563, 126.6052, Start.AddHours(-1)), new TrailPoint(37.5, 126.9707, Start.AddMinutes(-5))];
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=eta-time]")));
        Assert.Equal([37.4563, 126.6052, 37.5, 126.9707], ((object?[])MapModule.Invocations["setTrail"].Single().Arguments[1]!).Select(v => (int)v! / 1e6));
        Assert.Equal([TestData.Dropoff.Latitude, TestData.Dropoff.Longitude], FocusOf(MapModule.Invocations["setFocus"].Single()));
        Assert.Contains("Estimated arrival", page.Find("[data-testid=eta]").TextContent);
        // The map re-renders only when the page does (it never renders itself): it tells whether the page did.
        var map = page.FindComponent<Sendy.Console.Map.TruckMap>();
        var renders = map.RenderCount;

        for (var i = 1; i <= 3; i++)
        {
            await Feed.PublishAsync(TestData.Position(fixes[^1].Latitude + i * 0.0005, TestData.Dropoff.Longitude, Start.AddSeconds(i * 5)));
        }

        page.WaitForAssertion(() => Assert.Equal(4, MapModule.Invocations["setTruck"].Count));
        Assert.Equal(1, Queries.TrailRequests);
        Assert.Single(MapModule.Invocations["setTrail"]);
        Assert.Equal(renders, map.RenderCount);
    }

    [Fact]
    public async Task the_eta_follows_the_truck_throttled_and_a_big_change_shows_at_once()
    {
        var fixes = Approach(TestData.Dropoff);
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, fixes[^1]);
        Queries.RecentFixes[Id] = fixes;
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal("18:12", page.Find("[data-testid=eta-time]").TextContent));

        // 4 km closer after 5 s (out of a long tunnel): the recent speed jumps too, so ten minutes earlier, shown at once.
        Time.Advance(TimeSpan.FromSeconds(5));
        await Feed.PublishAsync(TestData.Position(fixes[^1].Latitude + 4000 / MetersPerDegree, TestData.Dropoff.Longitude, Start.AddSeconds(5)));

        page.WaitForAssertion(() => Assert.Equal("18:01", page.Find("[data-testid=eta-time]").TextContent));
        Assert.Equal("in 2 min · 2.0 km to go", page.Find("[data-testid=eta-detail]").TextContent);

        // A small change right after is held back for the refresh interval (20 s), then shown.
        Time.Advance(TimeSpan.FromSeconds(5));
        await Feed.PublishAsync(TestData.Position(fixes[^1].Latitude + 4100 / MetersPerDegree, TestData.Dropoff.Longitude, Start.AddSeconds(10)));
        page.WaitForAssertion(() => Assert.Contains("Last updated 0 s ago", page.Find("[data-testid=last-updated]").TextContent));
        Assert.Contains("2.0 km to go", page.Find("[data-testid=eta-detail]").TextContent);
        Time.Advance(TimeSpan.FromSeconds(20));
        page.WaitForAssertion(() => Assert.Contains("1.9 km to go", page.Find("[data-testid=eta-detail]").TextContent));
    }

    [Fact]
    public void a_stopped_truck_shows_calculating_and_the_distance_not_a_silly_time()
    {
        var parked = Enumerable.Range(0, 61).Select(i => TestData.Position(37.5, 126.9707 - 0.05, Start.AddSeconds(-(60 - i) * 5))).ToList();
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, parked[^1]);
        Queries.RecentFixes[Id] = parked;

        var page = Open();

        page.WaitForAssertion(() => Assert.StartsWith("Calculating arrival time…", page.Find("[data-testid=eta-detail]").TextContent));
        Assert.Contains("km to go", page.Find("[data-testid=eta-detail]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=eta-time]"));
    }

    [Fact]
    public void without_positions_the_eta_is_calculating()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit);

        var page = Open();

        Assert.Equal("Calculating arrival time…", page.Find("[data-testid=eta-detail]").TextContent);
        Assert.Contains("Waiting for the first position", page.Find("[data-testid=last-updated]").TextContent);
    }

    [Fact]
    public void a_fix_stored_between_the_pages_read_and_its_subscription_is_shown()
    {
        // The page read the delivery without a position; the truck's first fix was published
        // (to nobody) and stored just before the page subscribed: the feed will not bring it again.
        Queries.Hold = new TaskCompletionSource();
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit);
        var stored = TestData.Position(37.5512, 126.9882, Start);
        Feed.TruckSubscribed = _ => Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, stored);

        var page = Open();
        // Not live while the delivery is still being read.
        Assert.Equal("false", page.Find("[data-interactive]").GetAttribute("data-interactive"));
        Queries.Hold.SetResult();

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-interactive]").GetAttribute("data-interactive")));
        var shown = MapModule.Invocations["setTruck"].Single();
        Assert.Equal([Micro(37.5512), Micro(126.9882)], shown.Arguments.Skip(1).Take(2));
    }

    [Fact]
    public void booked_without_a_truck_shows_the_places_and_no_live_part()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.Booked) with { TruckId = null, TruckName = null, Plate = null, DriverFirstName = null };

        var page = Open();

        Assert.Contains("Your delivery is booked", page.Find("[data-testid=headline]").TextContent);
        Assert.Contains("as soon as they are assigned", page.Find("[data-testid=subline]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=eta]"));
        Assert.Empty(page.FindAll("[data-testid=last-updated]"));
        page.WaitForAssertion(() => Assert.Single(MapModule.Invocations["setPlaces"]));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
    }

    [Fact]
    public void delivered_hides_the_map_and_keeps_the_timeline()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.Delivered, TestData.Position(37.5, 127.0, Start),
            Event(DeliveryStatus.PickedUp, Start.AddHours(-2)), Event(DeliveryStatus.InTransit, Start.AddHours(-2)),
            Event(DeliveryStatus.Delivered, Start.AddMinutes(-5)));

        var page = Open();

        Assert.Equal("Delivered", page.Find("[data-testid=headline]").TextContent);
        Assert.Equal("Delivered on 03-14 17:55", page.Find("[data-testid=subline]").TextContent);
        Assert.Equal(3, page.FindAll("[data-testid=timeline] [data-status]").Count);
        Assert.NotNull(page.Find("[data-testid=map-hidden]"));
        Assert.Empty(page.FindAll("[data-testid=truck-map]"));
        Assert.Empty(page.FindAll("[data-testid=eta]"));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
        Assert.Empty(MapModule.Invocations["setTruck"]);
    }

    [Fact]
    public void failed_says_why_and_hides_the_map()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.Failed, null, Event(DeliveryStatus.Failed, Start, "Nobody at the address"));

        var page = Open();

        Assert.Equal("The delivery could not be completed", page.Find("[data-testid=headline]").TextContent);
        Assert.Equal("Reason: Nobody at the address", page.Find("[data-testid=subline]").TextContent);
        Assert.Contains("contact the sender", page.Find("[data-testid=contact-sender]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=truck-map]"));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
    }

    [Fact]
    public void cancelled_says_so_and_hides_the_map()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.Cancelled, null, Event(DeliveryStatus.Cancelled, Start));

        var page = Open();

        Assert.Equal("This delivery was cancelled", page.Find("[data-testid=headline]").TextContent);
        Assert.NotNull(page.Find("[data-testid=contact-sender]"));
        Assert.Empty(page.FindAll("[data-testid=truck-map]"));
    }

    [Fact]
    public void an_expired_link_has_its_own_friendly_page_without_the_delivery()
    {
        Queries.ExpiredTokens[Token] = 0;

        var page = Open();

        Assert.Contains("This link has expired", page.Find("[data-testid=link-expired]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=link-not-found]"));
        Assert.Empty(page.FindAll("[data-testid=truck-map]"));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
    }

    [Fact]
    public void while_the_link_is_looked_up_the_page_shows_progress()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit);
        Queries.Hold = new TaskCompletionSource();

        // The static page waits for its read before it sends anything; the live part reads again when its circuit starts.
        var page = Render<TrackLive>(p => p.Add(x => x.Token, Token));

        Assert.NotNull(page.Find(".mud-progress-linear"));
        Assert.Empty(page.FindAll("[data-testid=headline]"));
        Queries.Hold.SetResult();
        page.WaitForAssertion(() => Assert.Contains("on its way", page.Find("[data-testid=headline]").TextContent));
    }

    [Fact]
    public void picked_up_live_switches_to_the_drop_off_and_starts_the_trail()
    {
        var fixes = Approach(TestData.Pickup);
        Queries.Deliveries[Token] = View(DeliveryStatus.EnRouteToPickup, fixes[^1], Event(DeliveryStatus.EnRouteToPickup, Start.AddMinutes(-10)));
        Queries.RecentFixes[Id] = fixes;
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".track-root").GetAttribute("data-interactive")));

        StatusFeed.Publish(new DeliveryStatusChanged(Id, Event(DeliveryStatus.PickedUp, Start)));

        page.WaitForAssertion(() => Assert.Equal("Your goods have been picked up", page.Find("[data-testid=headline]").TextContent));
        page.WaitForAssertion(() => Assert.Equal(2, MapModule.Invocations["setFocus"].Count));
        Assert.Equal([TestData.Dropoff.Latitude, TestData.Dropoff.Longitude], FocusOf(MapModule.Invocations["setFocus"][^1]));
        Assert.Equal(1, Queries.TrailRequests);
        Assert.NotNull(MapModule.Invocations["setTrail"][^1].Arguments[1]);
        Assert.DoesNotContain("pickup", page.Find("[data-testid=eta]").TextContent);
    }

    [Fact]
    public async Task a_reassignment_switches_the_page_to_the_new_truck_with_its_trail_from_the_reassignment_on()
    {
        var fixes = Approach(TestData.Dropoff);
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, fixes[^1], Event(DeliveryStatus.InTransit, Start.AddMinutes(-30)));
        Queries.RecentFixes[Id] = fixes;
        Queries.Trails[Id] = [new TrailPoint(37.4563, 126.6052, Start.AddHours(-1)), new TrailPoint(37.5, 126.9707, Start.AddMinutes(-5))];
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));
        page.WaitForAssertion(() => Assert.Single(MapModule.Invocations["setTrail"]));

        // The dispatcher gives the delivery to truck-42: the database now answers with it, and its trail since the reassignment.
        const string NewTruck = "truck-42";
        var reassignedAt = Start.AddMinutes(1);
        var newLatest = new TruckPosition(NewTruck, 37.52, 126.95, reassignedAt.AddSeconds(30), reassignedAt.AddSeconds(30), 9, 90, 5);
        var reassigned = new StatusEventView(Guid.NewGuid(), Id, DeliveryStatus.InTransit, DeliveryStatus.InTransit, StatusActorKind.Dispatcher,
            "dispatcher-1", reassignedAt, null, null, "Reassigned: truck truck-17 → truck-42", null);
        Queries.Deliveries[Token] = View(DeliveryStatus.InTransit, newLatest, Event(DeliveryStatus.InTransit, Start.AddMinutes(-30)), reassigned)
            with
        { TruckId = NewTruck, Plate = "경기 34나 5678" };
        Queries.Trails[Id] = [new TrailPoint(37.51, 126.94, reassignedAt.AddSeconds(5)), new TrailPoint(37.52, 126.95, reassignedAt.AddSeconds(30))];
        Queries.RecentFixes[Id] = [newLatest];
        StatusFeed.Publish(new DeliveryStatusChanged(Id, reassigned));

        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(NewTruck)));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
        page.WaitForAssertion(() => Assert.Equal(2, MapModule.Invocations["setTrail"].Count));
        Assert.Equal([37.51, 126.94, 37.52, 126.95], ((object?[])MapModule.Invocations["setTrail"][^1].Arguments[1]!).Select(v => (int)v! / 1e6));
        page.WaitForAssertion(() => Assert.Single(MapModule.Invocations["clearTruck"]));
        page.WaitForAssertion(() => Assert.Equal([Micro(37.52), Micro(126.95)], MapModule.Invocations["setTruck"][^1].Arguments.Skip(1).Take(2)));
        Assert.Contains("경기 34나 5678", page.Markup);
        var step = page.Find("[data-testid=timeline] [data-reassigned=true]");
        Assert.Contains("Another truck took over your delivery", step.TextContent);
        Assert.DoesNotContain("Reassigned: truck", page.Markup); // the note is staff's

        // Positions of the old truck no longer move the marker; the new truck's do.
        var calls = MapModule.Invocations["setTruck"].Count;
        await Feed.PublishAsync(TestData.Position(37.0, 126.0, reassignedAt.AddMinutes(1)));
        await Feed.PublishAsync(new TruckPosition(NewTruck, 37.53, 126.96, reassignedAt.AddMinutes(1), reassignedAt.AddMinutes(1), 9, 90, 5));
        page.WaitForAssertion(() => Assert.Equal(calls + 1, MapModule.Invocations["setTruck"].Count));
        Assert.Equal([Micro(37.53), Micro(126.96)], MapModule.Invocations["setTruck"][^1].Arguments.Skip(1).Take(2));
    }

    [Fact]
    public void delivered_live_removes_the_map_and_stops_following_the_truck()
    {
        Queries.Deliveries[Token] = View(DeliveryStatus.Arrived, TestData.Position(37.5547, 126.9707, Start), Event(DeliveryStatus.Arrived, Start));
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));
        Assert.Empty(page.FindAll("[data-testid=eta]")); // arrived: no ETA

        StatusFeed.Publish(new DeliveryStatusChanged(Id, Event(DeliveryStatus.Delivered, Start.AddMinutes(3))));

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=truck-map]")));
        // The page stops following after the render that removed the map (in OnAfterRenderAsync): wait for that, not for the render.
        page.WaitForAssertion(() => Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId)));
        Assert.Equal(["Arrived", "Delivered"], page.FindAll("[data-testid=timeline] [data-status]").Select(e => e.GetAttribute("data-status")));
        page.WaitForAssertion(() => Assert.NotEmpty(MapModule.Invocations["disposeMap"]));
    }
}

public sealed class TrackPageStateKoreanTests() : TrackPageContext("ko")
{
    [Fact]
    public void korean_eta_and_expired_page()
    {
        var view = TestData.Delivery(null, DeliveryStatus.InTransit) with { Pickup = TestData.Pickup, Dropoff = TestData.Dropoff };
        Queries.Deliveries[TestData.TrackingToken] = view;
        Queries.ExpiredTokens["trk-old-link-0000000000"] = 0;

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        Assert.Equal("화물이 배송 중입니다", page.Find("[data-testid=headline]").TextContent);
        Assert.Equal("도착 시간을 계산하고 있습니다…", page.Find("[data-testid=eta-detail]").TextContent);

        var expired = Render<TrackPage>(p => p.Add(x => x.Token, "trk-old-link-0000000000"));
        Assert.Contains("만료된 링크입니다", expired.Find("[data-testid=link-expired]").TextContent);
    }
}
