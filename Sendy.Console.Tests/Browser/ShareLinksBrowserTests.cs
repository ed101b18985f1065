using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Engine.Deliveries.ShareLinks;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// In Chromium against the whole app: a customer's open tracking page gives way to "no longer
/// valid" the moment its link is revoked, and the API reference renders for staff under the CSP.
/// </summary>
public sealed class ShareLinksBrowserTests(LiveStackFixture app) : IClassFixture<LiveStackFixture>
{
    [Fact]
    public async Task an_open_customer_page_says_the_link_is_no_longer_valid_when_it_is_revoked()
    {
        var d = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
        await using var context = await app.NewContextAsync(1280, 800);
        var customer = await context.NewPageAsync();
        await customer.GotoAsync($"t/{d.TrackingToken}");
        await customer.WaitForSelectorAsync("[data-interactive=true]");
        await Assertions.Expect(customer.Locator("[data-testid=truck-map]")).ToBeVisibleAsync();

        var links = app.Services.GetRequiredService<ShareLinkService>();
        var link = Assert.Single((await links.ListAsync(d.DeliveryId, default))!);
        await links.RevokeAsync(d.DeliveryId, link.Id, "Dispatcher:browser-test", default);

        await Assertions.Expect(customer.Locator("[data-testid=link-revoked]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(customer.Locator("[data-testid=truck-map]")).ToHaveCountAsync(0);
        await Assertions.Expect(customer.Locator("h1")).ToContainTextAsync("더 이상 유효하지 않은 링크입니다"); // the delivery's language
        await customer.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("customer-link-revoked-ko.png") });

        var reload = await customer.ReloadAsync();
        Assert.Equal(410, reload!.Status);
    }

    [Fact]
    public async Task the_api_reference_renders_for_staff_without_csp_violations()
    {
        var email = await CreateDispatcherAsync();
        await using var context = await app.NewContextAsync(1280, 900);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);

        await page.GotoAsync("api-reference/v1");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "reference-pass-1");
        await page.ClickAsync("[data-testid=login-submit]");

        await Assertions.Expect(page.GetByText("Sendy API").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("/api/v1/deliveries").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("api-reference.png") });
        Assert.True(problems.Count == 0 || problems.All(p => !p.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)),
            "the reference page broke the CSP: " + string.Join(" | ", problems));
    }

    private async Task<string> CreateDispatcherAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = $"ref-{Guid.NewGuid():N}"[..12] + "@sendy.test";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = "Ji-ho Park" };
        Assert.True((await users.CreateAsync(user, "reference-pass-1")).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, StaffRoles.Dispatcher)).Succeeded);
        return email;
    }
}
