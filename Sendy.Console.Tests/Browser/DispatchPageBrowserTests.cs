using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class DispatchPageBrowserTests(BrowserFixture fixture)
{
    private const int FleetSize = 240;
    private const string NewTruck = "truck-new";

    private void SeedFleet(DateTimeOffset now)
    {
        if (fixture.Host.Fleet.Trucks.ContainsKey(FleetData.Id(1))) return;
        fixture.Host.Fleet.Add([.. FleetData.Trucks(FleetSize, now)]);
        fixture.Host.Fleet.Add(new FleetTruck(NewTruck, "Jeonju 900", "전북 90바 9000", "신동욱",
            new CurrentDelivery(Guid.NewGuid(), "Hanbit Foods", DeliveryStatus.PickedUp), null));
        foreach (var truck in fixture.Host.Fleet.Trucks.Values.Where(t => t.LatestPosition is not null))
            fixture.Host.Fleet.Trails[truck.TruckId] = FleetData.Trail(truck.LatestPosition!, now);
    }

    [Fact]
    public async Task dispatcher_sees_the_fleet_a_truck_appear_and_move_and_its_panel()
    {
        var now = DateTimeOffset.UtcNow;
        SeedFleet(now);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("dispatch");
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        var map = page.Locator("[data-testid=fleet-map]");
        await Expect(map).ToHaveAttributeAsync("data-truck-count", FleetSize.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-testid=truck-total]")).ToContainTextAsync($"{FleetSize + 1} trucks");
        await Expect(page.Locator("[data-testid=count-stale]")).ToHaveTextAsync((FleetSize / 7 + 1).ToString(CultureInfo.InvariantCulture));
        Assert.True(await page.Locator(".dm-cluster").CountAsync() > 0, "zoomed out, trucks are clustered");
        Assert.Null(await MarkerAsync(page, NewTruck));

        // A truck without a fix appears with its first one, then moves.
        await fixture.Host.Feed.PublishAsync(FleetData.Fix(NewTruck, 35.8242, 127.1480, DateTimeOffset.UtcNow));
        await Expect(map).ToHaveAttributeAsync("data-truck-count", (FleetSize + 1).ToString(CultureInfo.InvariantCulture));
        await WaitForMarkerAsync(page, NewTruck, 35.8242, 127.148);
        await fixture.Host.Feed.PublishAsync(FleetData.Fix(NewTruck, 35.8301, 127.1555, DateTimeOffset.UtcNow.AddSeconds(1)));
        await WaitForMarkerAsync(page, NewTruck, 35.8301, 127.1555);

        // Search, then a row opens the panel and the map zooms to the truck.
        await Search(page).FillAsync("Jeonju");
        await Expect(page.Locator("[data-testid=truck-row]")).ToHaveCountAsync(1);
        await page.Locator($"[data-testid=truck-row][data-truck-id={NewTruck}]").ClickAsync();
        var details = page.Locator("[data-testid=truck-details]");
        await Expect(details).ToHaveAttributeAsync("data-truck-id", NewTruck);
        await Expect(details.Locator("[data-testid=details-driver]")).ToHaveTextAsync("신동욱");
        await Expect(details.Locator("[data-testid=details-delivery]")).ToContainTextAsync("Hanbit Foods");
        await Expect(map).ToHaveAttributeAsync("data-selected-truck", NewTruck);
        await Expect(page.Locator($".dm-icon[title={NewTruck}]")).ToBeVisibleAsync();

        // Clicking another truck's marker opens its panel.
        await Search(page).FillAsync("");
        var seoul = fixture.Host.Fleet.Trucks[FleetData.Id(10)];
        await page.EvaluateAsync("id => window.sendyDispatch.focus(id)", seoul.TruckId);
        await page.Locator($".dm-icon[title={seoul.TruckId}]").ClickAsync();
        await Expect(details).ToHaveAttributeAsync("data-truck-id", seoul.TruckId);
        await Expect(details.Locator("[data-testid=details-name]")).ToHaveTextAsync(seoul.Name);
        await Expect(details.Locator("[data-testid=details-trail]")).ToContainTextAsync("40 points");
        await Expect(map).ToHaveAttributeAsync("data-trail-points", "40");
    }

    [Fact]
    public async Task screenshots_english_desktop_and_korean()
    {
        var now = DateTimeOffset.UtcNow;
        SeedFleet(now);
        foreach (var (locale, file) in new[] { ("en-US", "dispatch-page.png"), ("ko-KR", "dispatch-page-ko.png") })
        {
            await using var context = await fixture.NewContextAsync(locale, configure: o => o.ViewportSize = new ViewportSize { Width = 1440, Height = 900 });
            var page = await context.NewPageAsync();
            await page.GotoAsync("dispatch");
            await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
            await Expect(page.Locator("[data-testid=fleet-map]")).ToHaveAttributeAsync("data-truck-count", new System.Text.RegularExpressions.Regex("^2[0-9]{2}$"));
            // A Seoul truck, found by search, then the search cleared: the list shows the whole fleet.
            var truck = fixture.Host.Fleet.Trucks[FleetData.Id(30)];
            await Search(page).FillAsync(truck.Name);
            await page.Locator($"[data-testid=truck-row][data-truck-id={truck.TruckId}]").ClickAsync();
            await Expect(page.Locator("[data-testid=fleet-map]")).ToHaveAttributeAsync("data-trail-points", "40");
            await Search(page).FillAsync("");
            await Expect(page.Locator("[data-testid=truck-row]").Nth(5)).ToBeVisibleAsync();
            // The greater Seoul area, where trucks are both clustered and single.
            await page.EvaluateAsync("([lat, lng]) => window.sendyDispatch.view(lat, lng, 11)",
                new[] { truck.LatestPosition!.Latitude, truck.LatestPosition.Longitude - 0.08 });
            await page.Mouse.MoveAsync(900, 890);
            await page.WaitForTimeoutAsync(800);
            if (locale.StartsWith("ko", StringComparison.Ordinal))
                await Expect(page.Locator("[data-testid=filter-moving]")).ToContainTextAsync("운행 중");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot(file) });
        }
    }

    private static async Task<double[]?> MarkerAsync(IPage page, string truckId)
    {
        var json = await page.EvaluateAsync<JsonElement>("id => window.sendyDispatch.markerLatLng(id)", truckId);
        return json.ValueKind == JsonValueKind.Null ? null : [json[0].GetDouble(), json[1].GetDouble()];
    }

    private static async Task WaitForMarkerAsync(IPage page, string truckId, double lat, double lng)
    {
        await page.WaitForFunctionAsync(
            "([id, lat, lng]) => { const p = window.sendyDispatch.markerLatLng(id); return p && Math.abs(p[0] - lat) < 1e-9 && Math.abs(p[1] - lng) < 1e-9; }",
            new object[] { truckId, lat, lng }, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var map = page.Locator("[data-testid=fleet-map]");
        await Expect(map).ToHaveAttributeAsync("data-last-truck", truckId);
        await Expect(map).ToHaveAttributeAsync("data-last-lat", lat.ToString(CultureInfo.InvariantCulture));
    }

    private static ILocator Search(IPage page) => page.Locator("input[data-testid=truck-search], [data-testid=truck-search] input");

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
