using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Browser;

/// <summary>The customer's page in Chromium: live marker, trail, places, ETA, and each state's screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CustomerPageBrowserTests(BrowserFixture fixture)
{
    private static readonly double MetersPerDegree = EtaEstimator.DistanceMeters(0, 0, 1, 0);

    // From the Incheon pickup along the Gyeongin Expressway towards Yongsan, oldest first.
    private static readonly (double Lat, double Lon)[] Route =
    [
        (37.4563, 126.6052), (37.4631, 126.6370), (37.4745, 126.6790), (37.4870, 126.7310), (37.4925, 126.7810),
        (37.5010, 126.8350), (37.5130, 126.8790), (37.5220, 126.9050),
    ];

    [Fact]
    public async Task marker_follows_published_positions_without_tiles()
    {
        const string token = "trk-browser-live";
        fixture.Host.Queries.Deliveries[token] = TestData.Delivery() with { TruckId = "truck-live" };
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Expect(page.Locator("[data-testid=last-updated]")).ToContainTextAsync("Waiting for the first position");
        await Expect(page.Locator(".track-waiting")).ToBeVisibleAsync();

        var now = DateTimeOffset.UtcNow;
        await fixture.Host.Feed.PublishAsync(Position("truck-live", 37.5547, 126.9707, now.AddSeconds(-3), 60));
        await WaitForMarkerAsync(page, 37.5547, 126.9707);
        await Expect(page.Locator("[data-testid=last-updated]")).ToContainTextAsync("s ago");
        await Expect(page.Locator(".track-waiting")).ToBeHiddenAsync();

        await fixture.Host.Feed.PublishAsync(Position("truck-live", 37.5600, 126.9800, now, 45));
        await WaitForMarkerAsync(page, 37.56, 126.98);
        Assert.Equal(1, await page.Locator(".sendy-truck-icon").CountAsync());
    }

    [Fact]
    public async Task in_transit_shows_eta_timeline_places_and_a_trail_that_grows_as_the_truck_moves()
    {
        const string truck = "truck-transit";
        var token = Seed(truck, DeliveryStatus.InTransit, toPickup: false);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        await Expect(page.Locator("[data-testid=headline]")).ToHaveTextAsync("Your delivery is on its way");
        await Expect(page.Locator("[data-testid=eta]")).ToHaveAttributeAsync("data-kind", "Estimated");
        await Expect(page.Locator("[data-testid=eta-detail]")).ToContainTextAsync("min");
        await Expect(page.Locator("[data-testid=timeline] li")).ToHaveCountAsync(4);
        await Expect(page.Locator(".sendy-place-pickup")).ToHaveCountAsync(1);
        await Expect(page.Locator(".sendy-place-dropoff")).ToHaveCountAsync(1);
        await Expect(page.Locator(".sendy-place-label").Last).ToContainTextAsync("서울특별시 용산구 한강대로 405");
        var map = page.Locator("[data-testid=truck-map]");
        // The truck stands on the trail's newest point: nothing added yet.
        await Expect(map).ToHaveAttributeAsync("data-trail-length", Route.Length.ToString(CultureInfo.InvariantCulture));

        var (lat, lon) = Last(truck);
        await fixture.Host.Feed.PublishAsync(Position(truck, lat + 0.002, lon + 0.004, DateTimeOffset.UtcNow, 60));
        await WaitForMarkerAsync(page, lat + 0.002, lon + 0.004);
        await Expect(map).ToHaveAttributeAsync("data-trail-length", (Route.Length + 1).ToString(CultureInfo.InvariantCulture));
        // The map refits (animated) so the truck and the drop-off both stay in view.
        for (var tries = 0; tries < 50 && !await TruckAndDropoffInViewAsync(page); tries++)
        {
            await page.WaitForTimeoutAsync(100);
        }

        Assert.True(await TruckAndDropoffInViewAsync(page));
        await page.WaitForTimeoutAsync(300); // let the refit's animation finish before the picture
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page.png") });
    }

    [Fact]
    public async Task korean_phone_gets_the_korean_page_with_eta()
    {
        const string truck = "truck-ko";
        var token = Seed(truck, DeliveryStatus.InTransit, toPickup: false);
        await using var context = await PhoneAsync("ko-KR");
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        await Expect(page.Locator("[data-testid=status-chip]")).ToContainTextAsync("배송 중");
        await Expect(page.Locator("[data-testid=eta-detail]")).ToContainTextAsync("분 후");
        await Expect(page.Locator("[data-testid=last-updated]")).ToContainTextAsync("초 전 업데이트");
        var (lat, lon) = Last(truck);
        await WaitForMarkerAsync(page, lat, lon);
        await Expect(page.Locator("[data-testid=truck-map]")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page-ko-phone.png") });
    }

    [Fact]
    public async Task before_pickup_the_driver_is_on_the_way_to_the_pickup()
    {
        const string truck = "truck-before";
        var token = Seed(truck, DeliveryStatus.EnRouteToPickup, toPickup: true);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        await Expect(page.Locator("[data-testid=headline]")).ToHaveTextAsync("The driver is on the way to pick up your goods");
        await Expect(page.Locator("[data-testid=eta]")).ToContainTextAsync("Estimated arrival at pickup");
        await Expect(page.Locator("[data-testid=eta-time]")).ToBeVisibleAsync();
        var (lat, lon) = Last(truck);
        await WaitForMarkerAsync(page, lat, lon);
        await Expect(page.Locator("[data-testid=truck-map]")).ToHaveAttributeAsync("data-trail-length", "0");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-before-pickup.png") });

        await using var phone = await PhoneAsync("en-US");
        var small = await phone.NewPageAsync();
        await small.GotoAsync($"t/{token}");
        await small.WaitForSelectorAsync("[data-interactive=true]");
        await WaitForMarkerAsync(small, lat, lon);
        await small.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-before-pickup-phone.png") });
    }

    [Fact]
    public async Task delivered_on_a_korean_phone_shows_the_timeline_and_no_map()
    {
        const string token = "trk-browser-delivered";
        var at = DateTimeOffset.UtcNow;
        fixture.Host.Queries.Deliveries[token] = TestData.Delivery(null, DeliveryStatus.Delivered) with
        {
            TruckId = "truck-delivered",
            Pickup = TestData.Pickup,
            Dropoff = TestData.Dropoff,
            Timeline = Timeline(at.AddHours(-3), DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup,
                DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived, DeliveryStatus.Delivered),
        };
        await using var context = await PhoneAsync("ko-KR");
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        await Expect(page.Locator("[data-testid=headline]")).ToHaveTextAsync("배송 완료");
        await Expect(page.Locator("[data-testid=subline]")).ToContainTextAsync("배송되었습니다");
        await Expect(page.Locator("[data-testid=timeline] li")).ToHaveCountAsync(7);
        await Expect(page.Locator("[data-testid=truck-map]")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-delivered-ko-phone.png"), FullPage = true });
    }

    [Fact]
    public async Task an_expired_link_is_a_friendly_410()
    {
        const string token = "trk-browser-expired";
        fixture.Host.Queries.ExpiredTokens[token] = 0;
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        using var response = await client.GetAsync($"t/{token}");
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("This link has expired", html);
        Assert.DoesNotContain(ServerComponentMarker, html); // nothing live: no circuit for a dead link

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"t/{token}");
        await Expect(page.Locator("[data-testid=link-expired]")).ToContainTextAsync("This link has expired");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-expired.png") });
    }

    [Fact]
    public async Task unknown_link_is_a_friendly_404()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        using var response = await client.GetAsync("t/no-such-token");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Link not found", html);
        Assert.DoesNotContain("Exception", html);
        Assert.DoesNotContain(ServerComponentMarker, html);
    }

    [Fact]
    public async Task only_the_live_part_of_the_page_is_in_the_circuit()
    {
        const string token = "trk-browser-island";
        fixture.Host.Queries.Deliveries[token] = TestData.Delivery() with { TruckId = "truck-island" };
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };

        var html = await client.GetStringAsync($"t/{token}");

        // One interactive root (TrackLive) after the static header with its switches; the header is not in it.
        var island = html.IndexOf(ServerComponentMarker, StringComparison.Ordinal);
        Assert.Equal(island, html.LastIndexOf(ServerComponentMarker, StringComparison.Ordinal));
        var header = html.IndexOf("data-testid=\"language-switch\"", StringComparison.Ordinal);
        Assert.InRange(header, 0, island);
        Assert.True(html.IndexOf("data-testid=\"status-chip\"", StringComparison.Ordinal) > island);

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await fixture.Host.Feed.PublishAsync(Position("truck-island", 37.5547, 126.9707, DateTimeOffset.UtcNow, 60));
        await WaitForMarkerAsync(page, 37.5547, 126.9707);
    }

    /// <summary>
    /// A delivery on <paramref name="truckId"/> with places, timeline, a trail along <see cref="Route"/>
    /// (in transit) and five minutes of recent fixes at 12 m/s ending now, heading for the destination.
    /// </summary>
    private string Seed(string truckId, DeliveryStatus status, bool toPickup)
    {
        var token = "trk-browser-" + truckId;
        var now = DateTimeOffset.UtcNow;
        var delivery = TestData.Delivery(null, status) with { TruckId = truckId, Pickup = TestData.Pickup, Dropoff = TestData.Dropoff };
        var id = Guid.NewGuid();
        var steps = toPickup
            ? new[] { DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup }
            : [DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp];
        // The last leg: straight at the destination at 12 m/s, ending about 6 km short of it.
        var target = toPickup ? TestData.Pickup : TestData.Dropoff;
        var (endLat, endLon) = toPickup ? (target.Latitude + 0.035, target.Longitude + 0.045) : Route[^1];
        var metersPerLonDegree = MetersPerDegree * Math.Cos(endLat * Math.PI / 180);
        var north = (target.Latitude - endLat) * MetersPerDegree;
        var east = (target.Longitude - endLon) * metersPerLonDegree;
        var length = Math.Sqrt(north * north + east * east);
        var heading = (Math.Atan2(east, north) * 180 / Math.PI + 360) % 360;
        var recent = Enumerable.Range(0, 61).Select(i =>
        {
            var back = 12.0 * (60 - i) * 5 / length;
            return Position(truckId, endLat - back * north / MetersPerDegree, endLon - back * east / metersPerLonDegree,
                now.AddSeconds(-(60 - i) * 5), heading);
        }).ToList();
        recent[^1] = recent[^1] with { Latitude = endLat, Longitude = endLon };
        fixture.Host.Queries.Deliveries[token] = delivery with
        {
            DeliveryId = id,
            LatestPosition = recent[^1],
            Timeline = Timeline(now.AddMinutes(-90), steps),
        };
        fixture.Host.Queries.RecentFixes[id] = recent;
        if (!toPickup)
        {
            fixture.Host.Queries.Trails[id] = [.. Route.Select((p, i) => new TrailPoint(p.Lat, p.Lon, now.AddMinutes(-60 + i * 7)))];
        }

        _last[truckId] = (endLat, endLon);
        return token;
    }

    private readonly Dictionary<string, (double, double)> _last = [];

    private (double Lat, double Lon) Last(string truckId) => _last[truckId];

    /// <summary>How a prerendered interactive server component starts in the HTML: where a circuit will attach.</summary>
    private const string ServerComponentMarker = "<!--Blazor:{\"type\":\"server\"";

    private static StatusEventView[] Timeline(DateTimeOffset from, params DeliveryStatus[] steps) =>
        [.. steps.Select((s, i) => new StatusEventView(Guid.NewGuid(), Guid.Empty, null, s, StatusActorKind.Driver, "d", from.AddMinutes(i * 20), null, null, null, null))];

    private Task<IBrowserContext> PhoneAsync(string locale) =>
        fixture.NewContextAsync(locale, phone: true, o => o.ViewportSize = new ViewportSize { Width = 390, Height = 844 });

    private static async Task<bool> TruckAndDropoffInViewAsync(IPage page)
    {
        var mapBox = await page.Locator("[data-testid=truck-map]").BoundingBoxAsync();
        foreach (var selector in new[] { ".sendy-truck-icon", ".sendy-place-dropoff" })
        {
            var box = await page.Locator(selector).BoundingBoxAsync();
            if (box is null || mapBox is null || box.X < mapBox.X || box.Y < mapBox.Y
                || box.X + box.Width > mapBox.X + mapBox.Width || box.Y + box.Height > mapBox.Y + mapBox.Height)
            {
                return false;
            }
        }

        return true;
    }

    private static TruckPosition Position(string truckId, double lat, double lon, DateTimeOffset at, double heading) =>
        new(truckId, lat, lon, at, at, 11, heading, 5);

    private static async Task WaitForMarkerAsync(IPage page, double lat, double lng)
    {
        // Positions reach map.js as whole microdegrees (TruckMap.Micro): the marker stands at six decimals.
        var map = page.Locator("[data-testid=truck-map]");
        await Expect(map).ToHaveAttributeAsync("data-truck-lat", Math.Round(lat, 6).ToString(CultureInfo.InvariantCulture));
        await Expect(map).ToHaveAttributeAsync("data-truck-lng", Math.Round(lng, 6).ToString(CultureInfo.InvariantCulture));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
