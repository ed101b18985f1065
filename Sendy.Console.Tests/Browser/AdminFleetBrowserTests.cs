using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Fleet;

namespace Sendy.Console.Tests.Browser;

/// <summary>The console on Kestrel and a real database, with a first admin who signs in through the login form.</summary>
public sealed class AdminBrowserApp : SendyAppFactory
{
    public const string AdminEmail = "admin@sendy.test";
    public const string AdminPassword = "first-admin-pass-1";

    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    protected override bool ConsumerEnabled => false; // these pages never read the stream

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        (_playwright, Browser) = await Chromium.LaunchAsync();
        await SeedAsync();
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
        builder.UseSetting("Sendy:Admin:Email", AdminEmail);
        builder.UseSetting("Sendy:Admin:Password", AdminPassword);
        builder.UseSetting("Sendy:Admin:DisplayName", "Seo-yeon Han");
    }

    /// <summary>A small fleet, so the pages (and their screenshots) show what an admin works with.</summary>
    private async Task SeedAsync()
    {
        var fleet = Services.GetRequiredService<FleetAdmin>();
        (string Id, string Name, string Plate, string? Device, string Driver)[] trucks =
        [
            ("SEOUL-01", "Sendy 1", "서울 82바 1234", "osmand-7731", "김민수"),
            ("SEOUL-02", "Sendy 2", "서울 85자 5521", null, "이서준"),
            ("BUSAN-01", "Sendy 3", "부산 91사 3307", "traccar-0420", "박지훈"),
        ];
        foreach (var t in trucks)
        {
            await fleet.CreateTruckAsync(t.Id, new TruckInput(t.Name, t.Plate), default);
            if (t.Device is { } device) await fleet.SetLegacyTrackerIdAsync(t.Id, device, default);
            await fleet.CreateDriverAsync(t.Driver, t.Id, default);
        }
    }

    /// <summary>A browser context signed in through the login form (desktop size).</summary>
    public async Task<(IBrowserContext Context, IPage Page)> SignInAsync(string email, string password, string returnUrl, string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = 1,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
        return (context, page);
    }
}

/// <summary>What an admin does: trucks, drivers and their one-time links; staff accounts that then sign in.</summary>
public sealed class AdminFleetBrowserTests(AdminBrowserApp app) : IClassFixture<AdminBrowserApp>
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static async Task FillAsync(IPage page, string testId, string value) =>
        await page.Locator($"[data-testid={testId}]").FillAsync(value);

    private static async Task ReadyAsync(IPage page, string pageTestId) =>
        await Expect(page.Locator($"[data-testid={pageTestId}][data-interactive=true][data-loaded=true]")).ToBeVisibleAsync();

    [Fact]
    public async Task an_admin_adds_a_truck_and_a_driver_and_the_link_opens_that_drivers_page()
    {
        var (context, page) = await app.SignInAsync(AdminBrowserApp.AdminEmail, AdminBrowserApp.AdminPassword, "/admin/fleet");
        await using var _ = context;
        await ReadyAsync(page, "fleet-page");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Trucks and drivers");

        await FillAsync(page, "new-truck-id", "DAEJEON-07");
        await FillAsync(page, "new-truck-name", "Sendy 7");
        await FillAsync(page, "new-truck-plate", "대전 80아 7070");
        await page.ClickAsync("[data-testid=add-truck]");
        await Expect(page.Locator("[data-testid=fleet-message]")).ToContainTextAsync("Truck DAEJEON-07 added.");
        // Two seeded trucks still use legacy ids typed by hand: the page says what that risks.
        await Expect(page.Locator("[data-testid=legacy-tracker-warning]")).ToContainTextAsync("2 truck(s) use a legacy tracker id");

        var truckRow = page.Locator("[data-testid=trucks] tr", new() { HasText = "DAEJEON-07" });
        await truckRow.Locator("[data-testid=truck-tracker-actions]").ClickAsync();
        await page.ClickAsync("[data-testid=issue-tracker-id]");
        await Expect(page.Locator(".mud-dialog", new() { Has = page.Locator("[data-testid=driver-link-dialog]") })).ToContainTextAsync("New tracker id for DAEJEON-07");
        await Expect(page.Locator("[data-testid=link-once]")).ToContainTextAsync("This id is shown only once");
        var trackerId = await page.Locator("[data-testid=tracker-id]").InputValueAsync();
        Assert.Matches("^[0-9a-z]{26}$", trackerId);
        Assert.Equal($"http://sendy.test/osmand?id={trackerId}", await page.Locator("[data-testid=driver-link]").InputValueAsync());
        await page.WaitForFunctionAsync("""
            () => { const r = document.querySelector('[data-testid=driver-link-qr] svg')?.getBoundingClientRect(); return r && r.width >= 200 && r.height >= 200; }
            """, null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-fleet-tracker.png") });
        await page.ClickAsync("[data-testid=link-done]");
        await Expect(page.Locator("[data-testid=driver-link-dialog]")).ToHaveCountAsync(0);
        await Expect(truckRow).ToContainTextAsync("Issued id");
        Assert.DoesNotContain(trackerId, await page.ContentAsync());

        await FillAsync(page, "new-driver-name", "최현우");
        await page.ClickAsync("[data-testid=add-driver]");

        var dialog = page.Locator("[data-testid=driver-link-dialog]");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("shown only once");
        var url = await page.Locator("[data-testid=driver-link]").InputValueAsync();
        Assert.Matches("^http://sendy\\.test/d/[A-Za-z0-9_-]{20,}$", url);
        // The QR code is drawn large enough to scan, once the dialog's opening animation is over.
        await page.WaitForFunctionAsync("""
            () => { const r = document.querySelector('[data-testid=driver-link-qr] svg')?.getBoundingClientRect(); return r && r.width >= 200 && r.height >= 200; }
            """, null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.ClickAsync("[data-testid=copy-link]");
        await Expect(page.Locator("[data-testid=copy-result]")).ToHaveTextAsync("Link copied.");
        Assert.Equal(url, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-fleet-link.png") });

        await page.ClickAsync("[data-testid=link-done]");
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.DoesNotContain(url, await page.ContentAsync()); // shown once: nothing on the page keeps it
        await Expect(page.Locator("[data-testid=drivers] tr", new() { HasText = "최현우" })).ToContainTextAsync("DAEJEON-07");
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-fleet.png"), FullPage = true });

        // The link works for that driver: the public base URL is sendy.test in tests, so open its path here.
        var driverPage = await context.NewPageAsync();
        await driverPage.GotoAsync(new Uri(url).PathAndQuery.TrimStart('/'));
        await Expect(driverPage.Locator("#driver-app h1")).ToContainTextAsync("최현우");
        await Expect(driverPage.Locator("#driver-app")).ToContainTextAsync("DAEJEON-07");
    }

    [Fact]
    public async Task a_new_link_replaces_the_old_one_after_confirmation_in_korean()
    {
        var (context, page) = await app.SignInAsync(AdminBrowserApp.AdminEmail, AdminBrowserApp.AdminPassword, "/admin/fleet", "ko-KR");
        await using var _ = context;
        await ReadyAsync(page, "fleet-page");
        await Expect(page.Locator("h1")).ToHaveTextAsync("차량과 기사");
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-fleet-ko.png"), FullPage = true });

        var row = page.Locator("[data-testid=drivers] tr", new() { HasText = "박지훈" });
        await row.Locator("[data-testid=new-link]").ClickAsync();
        await Expect(page.Locator("[data-testid=new-link-warning]")).ToContainTextAsync("지금 쓰는 링크는 바로 쓸 수 없게 되니");
        await page.ClickAsync("[data-testid=confirm-new-link]");
        await Expect(page.Locator("[data-testid=link-once]")).ToContainTextAsync("한 번만");
        var url = await page.Locator("[data-testid=driver-link]").InputValueAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-fleet-link-ko.png") });

        var driverPage = await context.NewPageAsync();
        await driverPage.GotoAsync(new Uri(url).PathAndQuery.TrimStart('/'));
        await Expect(driverPage.Locator("#driver-app h1")).ToContainTextAsync("박지훈");
    }

    [Fact]
    public async Task an_admin_creates_a_dispatcher_who_then_signs_in_to_dispatch_but_not_admin_pages()
    {
        var (context, page) = await app.SignInAsync(AdminBrowserApp.AdminEmail, AdminBrowserApp.AdminPassword, "/admin/staff");
        await using var _ = context;
        await ReadyAsync(page, "staff-page");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Staff accounts");

        await FillAsync(page, "new-email", "jiwoo.park@sendy.test");
        await FillAsync(page, "new-display-name", "Jiwoo Park");
        await FillAsync(page, "new-password", "short");
        await page.ClickAsync("[data-testid=create-account]");
        await Expect(page.Locator("[data-testid=new-account]")).ToContainTextAsync("The password must be at least 12 characters long.");

        await FillAsync(page, "new-password", "dispatch-from-day-1");
        await page.ClickAsync("[data-testid=create-account]");
        await Expect(page.Locator("[data-testid=staff-message]")).ToContainTextAsync("Account jiwoo.park@sendy.test created.");
        await Expect(page.Locator("[data-testid=accounts] tr", new() { HasText = "jiwoo.park@sendy.test" })).ToContainTextAsync("Dispatcher");
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-staff.png"), FullPage = true });

        var (dispatcherContext, dispatcher) = await app.SignInAsync("jiwoo.park@sendy.test", "dispatch-from-day-1", "/dispatch");
        await using var __ = dispatcherContext;
        Assert.EndsWith("/dispatch", new Uri(dispatcher.Url).AbsolutePath, StringComparison.Ordinal);
        await dispatcher.WaitForSelectorAsync("[data-shell-ready=true]"); // the account menu opens once the page is live
        await dispatcher.ClickAsync("[data-testid=account-menu] button");
        await Expect(dispatcher.Locator("[data-testid=signed-in-as]")).ToContainTextAsync("jiwoo.park@sendy.test");
        await dispatcher.GotoAsync("admin/fleet");
        await Expect(dispatcher.Locator("[data-testid=access-denied]")).ToBeVisibleAsync();
        Assert.StartsWith("/account/denied", new Uri(dispatcher.Url).AbsolutePath, StringComparison.Ordinal);
        await dispatcher.GotoAsync("admin/staff");
        await Expect(dispatcher.Locator("[data-testid=access-denied]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task the_staff_page_in_korean()
    {
        var (context, page) = await app.SignInAsync(AdminBrowserApp.AdminEmail, AdminBrowserApp.AdminPassword, "/admin/staff", "ko-KR");
        await using var _ = context;
        await ReadyAsync(page, "staff-page");
        await Expect(page.Locator("h1")).ToHaveTextAsync("직원 계정");

        var me = page.Locator("[data-testid=accounts] tr", new() { HasText = AdminBrowserApp.AdminEmail });
        await me.Locator("[data-testid=lock]").ClickAsync();
        await Expect(page.Locator("[data-testid=staff-message]")).ToContainTextAsync("자신의 계정은 잠글 수 없습니다.");
        await page.ScreenshotAsync(new PageScreenshotOptions { Animations = ScreenshotAnimations.Disabled, Path = RepoPaths.Screenshot("admin-staff-ko.png"), FullPage = true });
    }
}
