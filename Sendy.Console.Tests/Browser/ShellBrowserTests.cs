using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// The shell as a person uses it: the language switch, the theme switch, the staff menu and the
/// home page. Its own host (not the shared browser collection), so its fleet and cookies can't
/// disturb the other page tests.
/// </summary>
public sealed class ShellBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task staff_switch_the_language_on_a_staff_page_and_it_sticks()
    {
        Seed();
        await using var context = await fixture.NewContextAsync("en-US");
        var page = await context.NewPageAsync();

        await page.GotoAsync("dispatch");
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));

        await page.Locator("[data-testid=language-switch] a[data-culture=ko]").ClickAsync();

        // What the person sees, not the page's load event: the URL is the same before and after,
        // so waiting for it matched at once and then hung on a load event that, in one hunt run
        // of ten, had not fired 30 s later (network idle had).
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dispatch$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ko", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        await Expect(page.Locator("[data-testid=filter-moving]")).ToContainTextAsync("운행 중");
        await Expect(page.Locator("[data-testid=language-switch] a[data-culture=ko]")).ToHaveAttributeAsync("aria-current", "true");

        // The circuit speaks it too: the staff menu, rendered interactively, is in Korean.
        await page.WaitForSelectorAsync(".mud-layout[data-shell-ready=true]");
        await page.Locator("[data-testid=nav-toggle]").ClickAsync();
        await Expect(page.Locator("[data-testid=staff-nav]")).ToContainTextAsync("배차 지도");
        await Expect(page.Locator("[data-testid=staff-nav]")).ToContainTextAsync("백그라운드 작업");
    }

    [Fact]
    public async Task a_customer_sees_the_delivery_language_and_can_switch()
    {
        const string token = "trk-shell-ko-delivery";
        fixture.Host.Queries.Deliveries[token] = TestData.Delivery() with { TruckId = "truck-shell" };
        fixture.Host.Locales.Locales[token] = "ko";
        await using var context = await fixture.NewContextAsync("en-US", phone: true);
        var page = await context.NewPageAsync();

        await page.GotoAsync($"t/{token}");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Expect(page.Locator("[data-testid=status-chip]")).ToContainTextAsync("배송 중");

        await page.Locator("[data-testid=language-switch] a[data-culture=en]").ClickAsync();

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await page.WaitForSelectorAsync("[data-interactive=true]");
        await Expect(page.Locator("[data-testid=status-chip]")).ToContainTextAsync("In transit");
        Assert.EndsWith($"/t/{token}", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_theme_switch_turns_the_dispatch_page_dark_from_the_first_paint()
    {
        Seed();
        await using var context = await fixture.NewContextAsync("en-US", configure: o => o.ViewportSize = new ViewportSize { Width = 1440, Height = 900 });
        var page = await context.NewPageAsync();
        await page.GotoAsync("dispatch");
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        Assert.Equal("rgb(245, 247, 251)", await BackgroundAsync(page));

        await page.Locator("[data-testid=theme-switch]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dispatch$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark", new() { Timeout = 30_000 });

        // The server's HTML, before any script runs, is already dark: no flash of the light theme.
        var html = await (await page.APIRequest.GetAsync("dispatch")).TextAsync();
        Assert.Matches(Preferences.PreferenceEndpointsTests.DarkBackground, html);
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        Assert.Equal("rgb(15, 21, 34)", await BackgroundAsync(page));
        await Expect(page.Locator("[data-testid=fleet-map]")).ToHaveAttributeAsync("data-truck-count", new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));
        await page.WaitForTimeoutAsync(500); // markers settle (no assertion rides on it)
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("dispatch-page-dark.png") });

        await page.Locator("[data-testid=theme-switch]").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");
    }

    [Fact]
    public async Task without_a_choice_the_page_follows_the_system_theme()
    {
        await using var context = await fixture.NewContextAsync("en-US", configure: o => o.ColorScheme = ColorScheme.Dark);
        var page = await context.NewPageAsync();

        await page.GotoAsync("");

        await page.WaitForFunctionAsync("() => getComputedStyle(document.body).backgroundColor === 'rgb(15, 21, 34)'");
    }

    [Fact]
    public async Task the_staff_menu_and_home_page_lead_to_every_page_of_the_role()
    {
        foreach (var (locale, file) in new[] { ("en-US", "home.png"), ("ko-KR", "home-ko.png") })
        {
            await using var context = await fixture.NewContextAsync(locale);
            var page = await context.NewPageAsync();
            await page.GotoAsync("");
            await Expect(page.Locator("[data-testid=home-cards] [data-card]")).ToHaveCountAsync(8); // the test user is Dispatcher and Admin
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot(file), FullPage = true });
        }

        await using var menuContext = await fixture.NewContextAsync("en-US");
        var menuPage = await menuContext.NewPageAsync();
        await menuPage.GotoAsync("");
        await menuPage.WaitForSelectorAsync(".mud-layout[data-shell-ready=true]");
        await menuPage.Locator("[data-testid=nav-toggle]").ClickAsync();
        await Expect(menuPage.Locator("[data-testid=staff-nav] a[href='/admin/jobs']")).ToBeVisibleAsync();
        await menuPage.Locator("[data-testid=staff-nav] a[href='/dispatch']").ClickAsync();
        await Expect(menuPage).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dispatch$"), new() { Timeout = 30_000 });
        await menuPage.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
    }

    private void Seed()
    {
        if (!fixture.Host.Fleet.Trucks.IsEmpty) return;
        fixture.Host.Fleet.Add([.. FleetData.Trucks(60, DateTimeOffset.UtcNow)]);
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
