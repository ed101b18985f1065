using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// driver.js against a stand-in for the ingest API (Playwright answers /api/v1/positions), with
/// the browser's geolocation set by the test.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DriverPageBrowserTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task sharing_uploads_fixes_with_the_driver_token()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        var api = await FakeApiAsync(context, _ => (202, null));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");
        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-sharing", "true");

        await WaitUntilAsync(() => !api.Requests.IsEmpty, "an upload at the stand-in API");
        var request = api.Requests.First();
        Assert.Equal($"Bearer {token}", request.Authorization);
        var fix = request.Body.RootElement.GetProperty("fixes")[0];
        Assert.Equal(37.5665, fix.GetProperty("lat").GetDouble(), 4);
        Assert.Equal(126.978, fix.GetProperty("lon").GetDouble(), 4);
        Assert.True(DateTimeOffset.TryParse(fix.GetProperty("recordedAt").GetString(), out _));
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
        await Expect(page.Locator("#last-upload")).ToContainTextAsync("sent");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("driver-page.png"), FullPage = true });
    }

    [Fact]
    public async Task unavailable_api_keeps_fixes_across_a_reload_and_sends_them_later()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        var status = 503;
        var api = await FakeApiAsync(context, _ => (status, "1"));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");
        await WaitUntilAsync(() => !api.Requests.IsEmpty, "an upload at the stand-in API");
        await Expect(page.Locator("#last-upload")).ToContainTextAsync("retrying");
        Assert.NotEqual("0", await page.Locator("#queue-length").TextContentAsync());

        await page.ReloadAsync();
        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-sharing", "true");
        Assert.NotEqual("0", await page.Locator("#queue-length").TextContentAsync());

        status = 202;
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
        Assert.Contains(api.Statuses, s => s == 202);
    }

    [Fact]
    public async Task unauthorized_stops_sharing_and_says_the_link_is_invalid()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        await FakeApiAsync(context, _ => (401, null));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");

        await Expect(page.Locator("#driver-warning")).ToContainTextAsync("no longer valid", new() { Timeout = 30_000 });
        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-sharing", "false");
        await Expect(page.Locator("#share-toggle")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task rejected_batch_is_dropped_and_the_reason_shown()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        await FakeApiAsync(context, _ => (400, null));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");

        await Expect(page.Locator("#driver-warning")).ToContainTextAsync("latitude out of range", new() { Timeout = 30_000 });
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task unknown_driver_link_is_a_friendly_404_without_script()
    {
        await using var context = await PhoneAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("d/drv-nobody");

        Assert.Equal(404, response!.Status);
        await Expect(page.Locator("[data-testid=link-not-found]")).ToContainTextAsync("Link not found or expired");
        Assert.Equal(0, await page.Locator("script[src]").CountAsync());
    }

    [Fact]
    public async Task fixes_closer_than_the_thresholds_are_not_queued_but_a_status_change_always_is()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        await FakeApiAsync(context, _ => (503, "600")); // keep everything in the queue
        await FakeCurrentDeliveryAsync(context);
        var page = await context.NewPageAsync();
        var app = page.Locator("#driver-app");

        await page.GotoAsync($"d/{token}");
        Assert.Equal("25", await app.GetAttributeAsync("data-min-distance"));
        Assert.Equal("30", await app.GetAttributeAsync("data-min-interval"));
        await page.ClickAsync("#share-toggle");
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("1");

        // About 5 m north: within 25 m and 30 s of the last kept fix.
        await context.SetGeolocationAsync(new Geolocation { Latitude = 37.56655f, Longitude = 126.978f, Accuracy = 8 });
        await Expect(app).ToHaveAttributeAsync("data-skipped", "1");
        Assert.Equal("1", await page.Locator("#queue-length").TextContentAsync());

        // About 110 m further: kept.
        await context.SetGeolocationAsync(new Geolocation { Latitude = 37.5675f, Longitude = 126.978f, Accuracy = 8 });
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("2");

        // 5 m more: skipped; then a status change keeps that latest position after all.
        await context.SetGeolocationAsync(new Geolocation { Latitude = 37.56755f, Longitude = 126.978f, Accuracy = 8 });
        await Expect(app).ToHaveAttributeAsync("data-skipped", "2");
        Assert.Equal("2", await page.Locator("#queue-length").TextContentAsync());
        await page.ClickAsync(".status-button[data-status=Arrived]");
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("3");
    }

    [Fact]
    public async Task the_screen_is_kept_on_while_sharing_and_let_go_on_stop()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        await FakeApiAsync(context, _ => (202, null));
        // Headless Chromium may refuse a real wake lock: a stand-in records what the page asks for.
        await context.AddInitScriptAsync("""
            window.__wake = { requests: 0, releases: 0, type: null };
            Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: {
                request: async type => {
                    window.__wake.requests++;
                    window.__wake.type = type;
                    const listeners = [];
                    return { type, released: false, addEventListener: (name, f) => listeners.push(f),
                        release: async function () { window.__wake.releases++; this.released = true; listeners.forEach(f => f()); } };
                } } });
            """);
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");

        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-wake-lock", "on");
        await Expect(page.Locator("#wake-state")).ToHaveTextAsync("Stays on while sharing");
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__wake.requests"));
        Assert.Equal("screen", await page.EvaluateAsync<string>("() => window.__wake.type"));

        await page.ClickAsync("#share-toggle");

        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-wake-lock", "off");
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__wake.releases"));
    }

    [Fact]
    public async Task a_browser_without_wake_lock_is_told_what_to_do_instead()
    {
        var token = NewDriver();
        await using var context = await PhoneAsync();
        await FakeApiAsync(context, _ => (202, null));
        await context.AddInitScriptAsync("delete Navigator.prototype.wakeLock;");
        var page = await context.NewPageAsync();

        await page.GotoAsync($"d/{token}");
        await page.ClickAsync("#share-toggle");

        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-wake-lock", "unsupported");
        await Expect(page.Locator("#wake-state")).ToContainTextAsync("tracker app");
        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-sharing", "true");
        await Expect(page.Locator("[data-testid=tracker-app-help]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task screenshots_korean_and_dark_on_a_phone()
    {
        var token = NewDriver();
        foreach (var (locale, dark, file) in new[] { ("ko-KR", false, "driver-page-ko-phone.png"), ("en-US", true, "driver-page-dark-phone.png") })
        {
            await using var context = await fixture.NewContextAsync(locale, phone: true, configure: o =>
            {
                o.Permissions = ["geolocation"];
                o.Geolocation = new Geolocation { Latitude = 37.5665f, Longitude = 126.978f, Accuracy = 8 };
                o.ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light;
            });
            await FakeApiAsync(context, _ => (202, null));
            await FakeCurrentDeliveryAsync(context);
            var page = await context.NewPageAsync();

            await page.GotoAsync($"d/{token}");
            var never = await page.Locator("#last-upload").TextContentAsync();
            await page.ClickAsync("#share-toggle");
            await Expect(page.Locator("#last-upload")).Not.ToHaveTextAsync(never!, new() { Timeout = 30_000 });
            await Expect(page.Locator(".status-button").First).ToBeVisibleAsync();
            if (dark)
            {
                var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
                Assert.Equal("rgb(15, 21, 34)", background);
            }
            else
            {
                await Expect(page.Locator("#share-toggle")).ToHaveTextAsync("중지");
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot(file), FullPage = true });
        }
    }

    private static Task FakeCurrentDeliveryAsync(IBrowserContext context) =>
        Task.WhenAll(
            context.RouteAsync("**/api/v1/driver/deliveries/current", route => route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = "application/json",
                Body = """{"id":"6f1c1f7e-6a55-4b8e-9f8f-3d8e2c1b0a99","status":"InTransit","customerName":"ACME Logistics","pickup":{"address":"Incheon port"},"dropoff":{"address":"Busan, Haeundae"},"nextStatuses":["Arrived","Failed"],"atPickup":false}""",
            })),
            context.RouteAsync("**/api/v1/deliveries/*/status", route => route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = "application/json",
                Body = "{}",
            })));

    private string NewDriver()
    {
        var token = "drv-" + Guid.NewGuid().ToString("N");
        fixture.Host.Queries.Drivers[token] = TestData.Driver();
        return token;
    }

    private Task<IBrowserContext> PhoneAsync() => fixture.NewContextAsync(phone: true, configure: o =>
    {
        o.Permissions = ["geolocation"];
        o.Geolocation = new Geolocation { Latitude = 37.5665f, Longitude = 126.978f, Accuracy = 8 };
    });

    private static async Task<FakeApi> FakeApiAsync(IBrowserContext context, Func<int, (int Status, string? RetryAfter)> answer)
    {
        var api = new FakeApi();
        await context.RouteAsync("**/api/v1/positions", async route =>
        {
            var request = route.Request;
            var body = JsonDocument.Parse(request.PostData ?? "{}");
            api.Requests.Enqueue(new(request.Headers.GetValueOrDefault("authorization"), body));
            var (status, retryAfter) = answer(api.Requests.Count);
            api.Statuses.Enqueue(status);
            var headers = new Dictionary<string, string>();
            if (retryAfter is not null)
            {
                headers["Retry-After"] = retryAfter;
            }

            var count = body.RootElement.TryGetProperty("fixes", out var fixes) ? fixes.GetArrayLength() : 0;
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = status,
                Headers = headers,
                ContentType = status == 202 ? "application/json" : "application/problem+json",
                Body = status switch
                {
                    202 => $$"""{"accepted":{{count}}}""",
                    400 => """{"title":"Invalid fixes","status":400,"detail":"fixes[0]: latitude out of range"}""",
                    _ => $$"""{"title":"Error","status":{{status}}}""",
                },
            });
        });
        return api;
    }

    /// <summary>Polls a condition on the test's side (what the stand-in API has received), which Playwright's own waits cannot see.</summary>
    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Eventually.ReachesAsync(() => Task.FromResult(condition()), met => met, what, (int)Patience.TotalSeconds);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private sealed class FakeApi
    {
        public ConcurrentQueue<(string? Authorization, JsonDocument Body)> Requests { get; } = new();

        public ConcurrentQueue<int> Statuses { get; } = new();
    }
}
