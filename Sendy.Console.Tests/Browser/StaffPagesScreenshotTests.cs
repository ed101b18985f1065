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
