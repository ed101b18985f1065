using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Browser;

/// <summary>The whole console on Kestrel, on real PostgreSQL and kinesalite, with the consumer running.</summary>
public sealed class LiveStackFixture : SendyAppFactory
{
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    protected override async Task DisposeAllAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAllAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Sendy:Map:TileUrl", "/test-tiles/{z}/{x}/{y}.png"); // no network here: tiles 404
    }
    /// <summary>A fresh browser context (own cookies and storage) on this app, at the given viewport.</summary>
    public Task<IBrowserContext> NewContextAsync(int width, int height, Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        };
        configure?.Invoke(options);
        return Browser.NewContextAsync(options);
    }

    /// <summary>Waits until the customer map's truck marker stands at exactly this position.</summary>
    public static async Task ExpectMarkerAtAsync(IPage page, double lat, double lng)
    {
        var map = page.Locator("[data-testid=truck-map]");
        var options = new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 };
        await Assertions.Expect(map).ToHaveAttributeAsync("data-truck-lat", lat.ToString(CultureInfo.InvariantCulture), options);
        await Assertions.Expect(map).ToHaveAttributeAsync("data-truck-lng", lng.ToString(CultureInfo.InvariantCulture), options);
    }
}

/// <summary>What a customer sees: a fix posted through the public API moves the marker on the tracking page.</summary>
public sealed class EndToEndBrowserTests(LiveStackFixture app) : IClassFixture<LiveStackFixture>
{
    [Fact]
    public async Task a_fix_posted_through_the_api_reaches_the_customers_map()
    {
        var (_, driverToken, trackingToken) = await app.CreateTruckWithDeliveryAsync();
        await using var context = await app.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"t/{trackingToken}");
        await page.WaitForSelectorAsync("[data-interactive=true]"); // the circuit is live before we act

        // Ten minutes and 10.6 km apart: a truck's pace (64 km/h), not an impossible jump.
        await PostFixAsync(driverToken, 37.4705, 127.0386, heading: 158, takenAgo: TimeSpan.FromMinutes(10));
        await LiveStackFixture.ExpectMarkerAtAsync(page, 37.4705, 127.0386);

        await PostFixAsync(driverToken, 37.3943, 127.1112, heading: 140, takenAgo: TimeSpan.Zero);
        await LiveStackFixture.ExpectMarkerAtAsync(page, 37.3943, 127.1112);
        await Assertions.Expect(page.Locator("[data-testid=last-updated]")).ToContainTextAsync("초 전"); // the delivery's language (ko) without a cookie
        // The map follows the truck: once its pan settles, the marker is on screen for the customer.
        await Assertions.Expect(page.Locator(".sendy-truck-icon")).ToBeInViewportAsync(new() { Ratio = 1 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page-live.png") });
    }

    [Fact]
    public async Task the_driver_page_shares_the_phones_location_into_storage()
    {
        var (truck, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        await using var context = await app.NewContextAsync(412, 915, o =>
        {
            o.IsMobile = true;
            o.Permissions = ["geolocation"];
            o.Geolocation = new Geolocation { Latitude = 35.1150f, Longitude = 129.0420f, Accuracy = 8 };
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"d/{driverToken}");
        await Assertions.Expect(page.Locator("#share-toggle")).ToBeEnabledAsync();

        await page.Locator("#share-toggle").ClickAsync();

        var stored = await Sendy.Engine.Tests.Infrastructure.Eventually.ReachesAsync(
            () => app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck),
            n => n >= 1, "a fix from the driver page stored");
        Assert.True(stored >= 1);
        var lat = await app.Database.ScalarAsync<double>("SELECT ST_Y(location) FROM latest_positions WHERE truck_id = $1", truck);
        Assert.Equal(35.115, lat, 3);
        await Assertions.Expect(page.Locator("#queue-length")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task the_driver_presses_picked_up_and_the_customers_timeline_shows_it_live()
    {
        var d = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.EnRouteToPickup);
        await using var customerContext = await app.NewContextAsync(1280, 800);
        var customer = await customerContext.NewPageAsync();
        await customer.GotoAsync($"t/{d.TrackingToken}");
        await customer.WaitForSelectorAsync("[data-interactive=true]");

        await using var driverContext = await app.NewContextAsync(412, 915, o => o.IsMobile = true);
        var driver = await driverContext.NewPageAsync();
        await driver.GotoAsync($"d/{d.DriverToken}");
        var pickedUp = driver.Locator("#status-buttons button[data-status=PickedUp]");
        await Assertions.Expect(pickedUp).ToBeEnabledAsync();
        await pickedUp.ClickAsync();

        await Assertions.Expect(customer.Locator("[data-testid=timeline] [data-status=PickedUp]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(customer.Locator("[data-testid=status-chip]")).ToContainTextAsync("상차 완료"); // stays in the delivery's language after a live update
        // The driver page moved on to the next step.
        await Assertions.Expect(driver.Locator("#status-buttons button[data-status=InTransit]")).ToBeVisibleAsync();
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM delivery_status_events WHERE delivery_id = $1", d.DeliveryId));
        await customer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-page-timeline.png") });
        await driver.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("driver-page-status.png") });
    }

    private async Task PostFixAsync(string driverToken, double lat, double lon, double heading, TimeSpan takenAgo)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var body = string.Create(CultureInfo.InvariantCulture,
            $$"""{"fixes":[{"lat":{{lat}},"lon":{{lon}},"recordedAt":"{{DateTimeOffset.UtcNow - takenAgo:O}}","speed":24,"heading":{{heading}},"accuracy":5}]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/positions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
