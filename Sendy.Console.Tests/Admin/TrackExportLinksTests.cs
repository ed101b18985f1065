using Bunit;
using Sendy.Console.Components.Pages.Admin;
using static Sendy.Console.Tests.Admin.AdminLogSamples;

namespace Sendy.Console.Tests.Admin;

/// <summary>The delivery history page's download links for the full track.</summary>
public sealed class TrackExportLinksTests : AdminPageContext
{
    [Fact]
    public void a_delivery_with_a_truck_offers_its_full_track_as_gpx_and_csv_downloads()
    {
        History.Histories[Acme] = AcmeHistory;
        History.Routes[Acme] = Route(3, 18_234);

        var page = Render<DeliveryHistoryPage>(p => p.Add(x => x.Id, Acme.ToString()));

        var gpx = page.Find("[data-testid=export-track-gpx]");
        var csv = page.Find("[data-testid=export-track-csv]");
        Assert.Equal($"/api/v1/admin/deliveries/{Acme}/track?format=gpx", gpx.GetAttribute("href"));
        Assert.Equal($"/api/v1/admin/deliveries/{Acme}/track?format=csv", csv.GetAttribute("href"));
        // "download" keeps Blazor's router off the link.
        Assert.NotNull(gpx.GetAttribute("download"));
        Assert.NotNull(csv.GetAttribute("download"));
        Assert.Contains("Download every fix", page.Find("[data-testid=track-export]").TextContent);
    }

    [Fact]
    public void a_delivery_without_a_truck_has_nothing_to_download()
    {
        History.Histories[Acme] = AcmeHistory;

        var page = Render<DeliveryHistoryPage>(p => p.Add(x => x.Id, Acme.ToString()));

        Assert.NotNull(page.Find("[data-testid=route-empty]"));
        Assert.Empty(page.FindAll("[data-testid=track-export]"));
    }
}
