using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;

namespace Sendy.Console.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class CustomerPageBrowserTests(BrowserFixture fixture)
{
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

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page.png") });
    }

    [Fact]
    public async Task korean_browser_gets_korean_page()
    {
        const string token = "trk-browser-ko";
        fixture.Host.Queries.Deliveries[token] = TestData.Delivery(Position("truck-ko", 37.5547, 126.9707, DateTimeOffset.UtcNow, 120)) with { TruckId = "truck-ko" };
        await using var context = await fixture.NewContextAsync("ko-KR", phone: true);
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        await Expect(page.Locator("[data-testid=status-chip]")).ToContainTextAsync("배송 중");
        await Expect(page.Locator("[data-testid=last-updated]")).ToContainTextAsync("초 전 업데이트");
        await WaitForMarkerAsync(page, 37.5547, 126.9707);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page-ko-phone.png") });
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
    }

    private static Sendy.Engine.Tracking.TruckPosition Position(string truckId, double lat, double lon, DateTimeOffset at, double heading) =>
        new(truckId, lat, lon, at, at, 11, heading, 5);

    private static async Task WaitForMarkerAsync(IPage page, double lat, double lng)
    {
        var map = page.Locator("[data-testid=truck-map]");
        await Expect(map).ToHaveAttributeAsync("data-truck-lat", lat.ToString(CultureInfo.InvariantCulture));
        await Expect(map).ToHaveAttributeAsync("data-truck-lng", lng.ToString(CultureInfo.InvariantCulture));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
