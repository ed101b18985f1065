using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Console.Operations;
using Sendy.Engine.Fleet;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Admin;

/// <summary>/admin/fleet's "day's track": pick a day in the operations zone, download the truck's fixes as GPX or CSV.</summary>
public sealed class TruckDayExportTests(TestDatabase db) : FleetAdminContext(db), IClassFixture<TestDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task a_trucks_day_opens_on_today_in_the_operations_zone_and_links_both_formats()
    {
        var truck = $"T-{Guid.NewGuid():N}"[..10];
        Assert.True((await Services.GetRequiredService<FleetAdmin>().CreateTruckAsync(truck, new TruckInput("Day Truck", null), default)).Succeeded);
        SignInAsAdmin("admin-id");
        var page = RenderPage<FleetPage>();
        page.WaitForElement("[data-testid=fleet-page][data-loaded=true]", Patience);
        var today = Services.GetRequiredService<OperationsClock>().Today;

        page.FindAll("[data-testid=trucks] tbody tr").Single(r => r.TextContent.Contains(truck, StringComparison.Ordinal))
            .QuerySelector("[data-testid=truck-day-track]")!.Click();

        page.WaitForElement("[data-testid=day-track-dialog]", Patience);
        Assert.Contains($"Track of {truck}", page.Markup);
        Assert.Equal($"/api/v1/admin/trucks/{truck}/track?day={today:yyyy-MM-dd}&format=gpx", page.Find("[data-testid=day-track-gpx]").GetAttribute("href"));
        Assert.Equal($"/api/v1/admin/trucks/{truck}/track?day={today:yyyy-MM-dd}&format=csv", page.Find("[data-testid=day-track-csv]").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=day-track-csv]").GetAttribute("download"));
        Assert.Contains("Asia/Seoul", page.Find("[data-testid=day-track-dialog]").TextContent);

        var picker = page.FindComponent<MudDatePicker>();
        await page.InvokeAsync(() => picker.Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 24)));
        page.WaitForAssertion(() => Assert.Equal($"/api/v1/admin/trucks/{truck}/track?day=2026-11-24&format=gpx",
            page.Find("[data-testid=day-track-gpx]").GetAttribute("href")));

        page.Find("[data-testid=day-track-close]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=day-track-dialog]")));
    }
}
