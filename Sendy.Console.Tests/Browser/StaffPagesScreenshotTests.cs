using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// The sign-in page and the lease/worker page (with this node's consumer holding real leases on
/// kinesalite), in English and Korean: what staff see first, and what an admin checks when the
/// stream falls behind.
/// </summary>
public sealed class StaffPagesScreenshotTests(LiveStackFixture app) : IClassFixture<LiveStackFixture>
{
    private const string Password = "tour-admin-pass-1";

    [Theory]
    [InlineData("en-US", "Sign in", "")]
    [InlineData("ko-KR", "로그인", "-ko")]
    public async Task sign_in_then_the_consumers_page_shows_this_nodes_leases(string locale, string signIn, string suffix)
    {
        var email = await CreateAdminAsync();
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync("admin/consumers");
        await Assertions.Expect(page.Locator("[data-testid=login-submit]")).ToHaveTextAsync(signIn);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot($"sign-in{suffix}.png") });

        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page.Locator("[data-testid=consumers-page]")).ToBeVisibleAsync();
        // The console's own consumer holds the test stream's shards: one row per lease, owned by this worker.
        await Assertions.Expect(page.Locator("[data-testid=leases] tbody tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=workers] tbody tr")).Not.ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = RepoPaths.Screenshot($"admin-consumers{suffix}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled,
        });
    }

    /// <summary>
    /// The history page against the real database: the migration's daily partitions (today among
    /// them, and the week ahead), the archive-off warning, in English and Korean.
    /// </summary>
    [Theory]
    [InlineData("en-US", "")]
    [InlineData("ko-KR", "-ko")]
    public async Task the_history_page_lists_the_daily_partitions_postgresql_holds(string locale, string suffix)
    {
        var email = await CreateAdminAsync();
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("admin/history");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page.Locator("[data-testid=history-page][data-loaded=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var today = "positions_" + DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("[data-testid=held-partition]", new() { HasText = today })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=archive-off]")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = RepoPaths.Screenshot($"admin-history{suffix}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled,
        });
    }

    /// <summary>An admin creates an API client in the browser, copies the key shown once, and the key books through the API.</summary>
    [Fact]
    public async Task an_admin_creates_an_api_client_and_its_key_works_against_the_api()
    {
        var email = await CreateAdminAsync();
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            Locale = "ko-KR",
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = "ko-KR" },
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("admin/integrations");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await Assertions.Expect(page.Locator("[data-testid=integrations-page][data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var name = "예약 시스템 " + Guid.NewGuid().ToString("N")[..6];
        await page.Locator("[data-testid=client-name]").FillAsync(name);
        await page.Locator("[data-testid=create-client]").ClickAsync();
        var keyField = page.Locator("[data-testid=new-key]");
        await Assertions.Expect(keyField).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^sendy_sk_[0-9A-Za-z]{43}$"));
        var key = await keyField.InputValueAsync();
        await Assertions.Expect(page.Locator("[data-testid=clients] tbody tr", new() { HasText = name })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = RepoPaths.Screenshot("admin-integrations-ko.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled,
        });

        using var api = new HttpClient { BaseAddress = app.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var booked = await api.PostAsync("api/v1/deliveries", new StringContent(
            """{"customerName":"김하늘","pickup":{"address":"인천항","lat":37.45,"lon":126.6},"dropoff":{"address":"부산항","lat":35.1,"lon":129.04}}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, booked.StatusCode);

        // The list shows the key's last use once the page is opened again.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=clients] tbody tr", new() { HasText = name }).Locator("[data-testid=client-last-used]"))
            .Not.ToHaveTextAsync("없음");
    }

    private async Task<string> CreateAdminAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = $"tour-{Guid.NewGuid():N}"[..13] + "@sendy.test";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = "Seo-yeon Han" };
        Assert.True((await users.CreateAsync(user, Password)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, StaffRoles.Admin)).Succeeded);
        return email;
    }
}
