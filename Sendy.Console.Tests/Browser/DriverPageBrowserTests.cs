using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;

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

        await WaitUntilAsync(() => !api.Requests.IsEmpty);
        var request = api.Requests.First();
        Assert.Equal($"Bearer {token}", request.Authorization);
        var fix = request.Body.RootElement.GetProperty("fixes")[0];
        Assert.Equal(37.5665, fix.GetProperty("lat").GetDouble(), 4);
        Assert.Equal(126.978, fix.GetProperty("lon").GetDouble(), 4);
        Assert.True(DateTimeOffset.TryParse(fix.GetProperty("recordedAt").GetString(), out _));
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0", new() { Timeout = 10_000 });
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
        await WaitUntilAsync(() => !api.Requests.IsEmpty);
        await Expect(page.Locator("#last-upload")).ToContainTextAsync("retrying");
        Assert.NotEqual("0", await page.Locator("#queue-length").TextContentAsync());

        await page.ReloadAsync();
        await Expect(page.Locator("#driver-app")).ToHaveAttributeAsync("data-sharing", "true");
        Assert.NotEqual("0", await page.Locator("#queue-length").TextContentAsync());

        status = 202;
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0", new() { Timeout = 20_000 });
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

        await Expect(page.Locator("#driver-warning")).ToContainTextAsync("no longer valid", new() { Timeout = 15_000 });
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

        await Expect(page.Locator("#driver-warning")).ToContainTextAsync("latitude out of range", new() { Timeout = 15_000 });
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private sealed class FakeApi
    {
        public ConcurrentQueue<(string? Authorization, JsonDocument Body)> Requests { get; } = new();

        public ConcurrentQueue<int> Statuses { get; } = new();
    }
}
