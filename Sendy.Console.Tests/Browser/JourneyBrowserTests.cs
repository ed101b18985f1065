using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// What each user does, in Chromium against the whole console on real PostgreSQL and kinesalite:
/// staff sign in (and are refused what their role does not allow), a driver's phone loses its
/// connection and catches up, a tracker app speaking OsmAnd moves a truck.
/// </summary>
public sealed class JourneyBrowserTests(LiveStackFixture app) : IClassFixture<LiveStackFixture>
{
    private const string Password = "journey-pass-1";

    [Fact]
    public async Task a_dispatcher_signs_in_sees_the_map_and_is_refused_the_admin_pages()
    {
        var email = await CreateStaffAsync(StaffRoles.Dispatcher);
        await using var context = await app.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();

        await page.GotoAsync("dispatch");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToBeVisibleAsync();

        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dispatch$"));
        await Assertions.Expect(page.Locator("[data-testid=truck-total]")).ToBeVisibleAsync();

        await page.GotoAsync("admin/consumers");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/denied"));
        await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task an_admin_signs_in_and_opens_the_admin_pages()
    {
        var email = await CreateStaffAsync(StaffRoles.Admin);
        await using var context = await app.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();

        await page.GotoAsync("admin/consumers");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/consumers$"));
        await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task the_driver_page_queues_fixes_while_offline_and_sends_them_when_back_online()
    {
        var (truck, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        await using var context = await app.NewContextAsync(412, 915, o =>
        {
            o.IsMobile = true;
            o.Permissions = ["geolocation"];
            o.Geolocation = new Geolocation { Latitude = 35.1000f, Longitude = 129.0400f, Accuracy = 8 };
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"d/{driverToken}");
        await page.Locator("#share-toggle").ClickAsync();
        await StoredAsync(truck, n => n >= 1, "the first fix, sent online");

        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("#online-state")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("offline"));
        // 44 m apart: past the sampler's distance threshold (25 m), and a second apart a truck's
        // pace (about 145 km/h), not an impossible jump that fix quality would flag.
        for (var i = 1; i <= 3; i++)
        {
            await context.SetGeolocationAsync(new Geolocation { Latitude = 35.1000f + i * 0.0004f, Longitude = 129.0400f, Accuracy = 8 });
            await Assertions.Expect(page.Locator("#queue-length")).Not.ToHaveTextAsync("0", new() { Timeout = 30_000 });
            await page.WaitForTimeoutAsync(1_100); // fixes a second apart: distinct device times
        }
        var queued = int.Parse(await page.Locator("#queue-length").TextContentAsync() ?? "0", CultureInfo.InvariantCulture);
        Assert.True(queued >= 1, $"fixes queued while offline ({queued})");
        var storedWhileOffline = await app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);

        await context.SetOfflineAsync(false);
        await Assertions.Expect(page.Locator("#queue-length")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
        await StoredAsync(truck, n => n >= storedWhileOffline + queued, "the queued fixes, sent once back online");
        var lat = await Eventually.ReachesAsync(
            () => app.Database.ScalarAsync<double>("SELECT ST_Y(location) FROM latest_positions WHERE truck_id = $1", truck),
            v => v > 35.1011, "the latest position is the last one taken offline");
        Assert.Equal(35.1012, lat, 4);
    }

    [Fact]
    public async Task osmand_query_and_json_posts_move_the_truck_on_the_customers_map()
    {
        var (truck, _, trackingToken) = await app.CreateTruckWithDeliveryAsync();
        var device = await app.Fleet.IssueDeviceIdAsync(truck, default);
        Assert.NotNull(device);
        await using var context = await app.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"t/{trackingToken}");
        await page.WaitForSelectorAsync("[data-interactive=true]");

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        // A minute before the JSON fix below: 1.2 km apart is a truck's pace, not an impossible jump.
        var seconds = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        using (var query = await http.PostAsync(
            $"osmand?id={device}&lat=37.5512&lon=126.9882&timestamp={seconds}&speed=20&bearing=90&accuracy=6&batt=81", null))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        }
        await LiveStackFixture.ExpectMarkerAtAsync(page, 37.5512, 126.9882);

        var json = $$$"""
            {"location":{"timestamp":"{{{DateTimeOffset.UtcNow:O}}}","coords":{"latitude":37.5601,"longitude":126.9950,"speed":11.5,"heading":45,"accuracy":5},"battery":{"level":0.8,"is_charging":false}},"device_id":"{{{device}}}"}
            """;
        using (var body = await http.PostAsync("osmand", new StringContent(json, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, body.StatusCode);
        }
        await LiveStackFixture.ExpectMarkerAtAsync(page, 37.5601, 126.995);

        // An unknown id is answered exactly like a known one (no oracle for guessing), and moves nothing.
        using var unknown = await http.PostAsync($"osmand?id=unknown-{device}&lat=35.1&lon=129&timestamp={seconds + 2}", null);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
    }

    private async Task<string> CreateStaffAsync(string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = $"j-{Guid.NewGuid():N}"[..14] + "@test.local";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = role };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return email;
    }

    private Task<long> StoredAsync(string truck, Func<long, bool> done, string what) =>
        Eventually.ReachesAsync(() => app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck), done, what);
}
