using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Trackers;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Admin;

/// <summary>/admin/fleet on a real test database: trucks, drivers, and the driver link shown once.</summary>
public sealed class FleetPageTests(TestDatabase db) : FleetAdminContext(db), IClassFixture<TestDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private FleetAdmin Fleet => Services.GetRequiredService<FleetAdmin>();

    private static string NewId(string prefix = "T") => $"{prefix}-{Guid.NewGuid():N}"[..10];

    private async Task<string> TruckAsync(string name = "Sendy", string? device = null)
    {
        var id = NewId();
        Assert.True((await Fleet.CreateTruckAsync(id, new TruckInput(name, null), default)).Succeeded);
        if (device is not null) Assert.True((await Fleet.SetLegacyTrackerIdAsync(id, device, default)).Succeeded);
        return id;
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Page()
    {
        SignInAsAdmin("admin-id");
        var page = RenderPage<FleetPage>();
        page.WaitForElement("[data-testid=fleet-page][data-loaded=true]", Patience);
        return page;
    }

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string table, string text) =>
        page.FindAll($"[data-testid={table}] tbody tr").Single(r => r.TextContent.Contains(text, StringComparison.Ordinal));

    private static Task PickTruckAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string select, string truckId)
    {
        var picker = page.FindComponents<FleetTruckSelect>().Single(c => c.Instance.TestId == select);
        return page.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync(truckId));
    }

    private async Task<DriverIdentity?> DriverOfAsync(string url)
    {
        var token = url[(FleetAdminContext.PublicBaseUrl + "/d/").Length..];
        return await new EfTrackingQueries(Services.GetRequiredService<IDbContextFactory<SendyDbContext>>(),
            Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), TimeProvider.System)
            .FindDriverAsync(token, default);
    }

    [Fact]
    public async Task a_bad_truck_id_is_refused_inline_and_a_good_one_is_listed()
    {
        var page = Page();
        await page.Find("[data-testid=new-truck-id]").ChangeAsync(new() { Value = "트럭 1" });
        await page.Find("[data-testid=new-truck-name]").ChangeAsync(new() { Value = "" });

        await page.Find("[data-testid=add-truck]").ClickAsync(new MouseEventArgs());

        var form = page.Find("[data-testid=new-truck]").TextContent;
        Assert.Contains("Use letters, digits, - and _ only", form);
        Assert.Contains("Required.", form);

        var id = NewId();
        await page.Find("[data-testid=new-truck-id]").ChangeAsync(new() { Value = id });
        await page.Find("[data-testid=new-truck-name]").ChangeAsync(new() { Value = "Sendy 9" });
        await page.Find("[data-testid=new-truck-plate]").ChangeAsync(new() { Value = "서울 12가 3456" });
        await page.Find("[data-testid=add-truck]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Contains($"Truck {id} added.", page.Find("[data-testid=fleet-message]").TextContent), Patience);
        Assert.Contains("서울 12가 3456", Row(page, "trucks", id).TextContent);
        Assert.DoesNotContain("Required.", page.Find("[data-testid=new-truck]").TextContent);

        await page.Find("[data-testid=new-truck-id]").ChangeAsync(new() { Value = id });
        await page.Find("[data-testid=new-truck-name]").ChangeAsync(new() { Value = "Again" });
        await page.Find("[data-testid=add-truck]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("A truck with this id already exists.", page.Find("[data-testid=new-truck]").TextContent), Patience);
    }

    [Fact]
    public async Task a_tracker_id_is_issued_shown_once_with_a_qr_code_traccar_client_scans_and_a_new_one_stops_it()
    {
        var truck = await TruckAsync("Tracked");
        var page = Page();
        var devices = new TrackerDevices(Services.GetRequiredService<IDbContextFactory<SendyDbContext>>(), TimeProvider.System);

        await Row(page, "trucks", truck).QuerySelector("[data-testid=truck-tracker-actions]")!.ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=issue-tracker-id]").ClickAsync(new MouseEventArgs());

        var dialog = page.WaitForElement("[data-testid=driver-link-dialog]", Patience);
        var id = page.Find("[data-testid=tracker-id]").GetAttribute("value")!;
        var url = page.Find("[data-testid=driver-link]").GetAttribute("value")!;
        Assert.Matches("^[0-9a-hjkmnp-tv-z]{26}$", id);
        Assert.Equal($"http://sendy.test/osmand?id={id}", url);
        Assert.Equal(url, FleetLinkQrTests.Decode(FleetLinkQr.Modules(url)));
        Assert.NotNull(page.Find("[data-testid=driver-link-qr] svg path"));
        Assert.Contains("shown only now", dialog.TextContent);
        Assert.Equal(truck, await devices.FindTruckAsync(id, default));
        page.WaitForAssertion(() => Assert.Contains("Issued id", Row(page, "trucks", truck).TextContent), Patience);

        await page.Find("[data-testid=link-done]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=driver-link-dialog]")), Patience);
        Assert.DoesNotContain(id, page.Markup); // only its hash is stored; the page keeps no copy

        await Row(page, "trucks", truck).QuerySelector("[data-testid=truck-tracker-actions]")!.ClickAsync(new MouseEventArgs());
        Assert.Contains("Issue a new id", page.Find("[data-testid=issue-tracker-id]").TextContent);
        await page.Find("[data-testid=issue-tracker-id]").ClickAsync(new MouseEventArgs());
        page.WaitForElement("[data-testid=driver-link-dialog]", Patience);
        var second = page.Find("[data-testid=tracker-id]").GetAttribute("value")!;
        Assert.NotEqual(id, second);
        Assert.Null(await devices.FindTruckAsync(id, default));
        Assert.Equal(truck, await devices.FindTruckAsync(second, default));
    }

    [Fact]
    public async Task a_legacy_id_is_warned_about_and_one_another_truck_has_names_that_truck()
    {
        var device = "dev-" + Guid.NewGuid().ToString("N")[..8];
        var holder = await TruckAsync("Holder", device);
        var edited = await TruckAsync("Edited");
        var page = Page();
        Assert.Contains("Legacy id", Row(page, "trucks", holder).TextContent);
        Assert.Contains("can be guessed", page.Find("[data-testid=legacy-tracker-warning]").TextContent);

        await Row(page, "trucks", edited).QuerySelector("[data-testid=truck-tracker-actions]")!.ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=legacy-id]").ChangeAsync(new() { Value = device });
        await page.Find("[data-testid=save-legacy-id]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains($"This device is already registered to truck {holder}.", page.Find("[data-testid=tracker-dialog]").TextContent), Patience);

        await page.Find("[data-testid=legacy-id]").ChangeAsync(new() { Value = "with space" });
        await page.Find("[data-testid=save-legacy-id]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("without spaces", page.Find("[data-testid=tracker-dialog]").TextContent), Patience);

        await page.Find("[data-testid=legacy-id]").ChangeAsync(new() { Value = device + "-2" });
        await page.Find("[data-testid=save-legacy-id]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains($"Truck {edited} now takes", page.Find("[data-testid=fleet-message]").TextContent), Patience);
        Assert.Contains("Legacy id", Row(page, "trucks", edited).TextContent);
        Assert.DoesNotContain(device, page.Markup); // ids are stored hashed: not even a legacy one is shown back

        await Row(page, "trucks", edited).QuerySelector("[data-testid=truck-tracker-actions]")!.ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=remove-tracker-id]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains($"Truck {edited} has no tracker", page.Find("[data-testid=fleet-message]").TextContent), Patience);
        Assert.DoesNotContain("Legacy id", Row(page, "trucks", edited).TextContent);
    }

    [Fact]
    public async Task a_new_driver_gets_a_link_and_qr_code_shown_once()
    {
        var truck = await TruckAsync("Sendy 7");
        var page = Page();
        var name = "김민수 " + Guid.NewGuid().ToString("N")[..4];
        await page.Find("[data-testid=new-driver-name]").ChangeAsync(new() { Value = name });
        await PickTruckAsync(page, "new-driver-truck", truck);

        await page.Find("[data-testid=add-driver]").ClickAsync(new MouseEventArgs());

        var dialog = page.WaitForElement("[data-testid=driver-link-dialog]", Patience);
        var url = page.Find("[data-testid=driver-link]").GetAttribute("value")!;
        Assert.StartsWith("http://sendy.test/d/", url, StringComparison.Ordinal);
        Assert.Contains("shown only once", dialog.TextContent);
        Assert.NotNull(page.Find("[data-testid=driver-link-qr] svg path"));
        Assert.Equal((name, truck), await DriverOfAsync(url) is { } d ? (d.DriverName, d.TruckId) : default);
        Assert.Contains(name, Row(page, "drivers", name).TextContent);

        await page.Find("[data-testid=link-done]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=driver-link-dialog]")), Patience);
        Assert.DoesNotContain(url[^20..], page.Markup); // gone: the page keeps no copy of the token
    }

    [Fact]
    public async Task a_new_link_asks_first_then_replaces_the_old_one()
    {
        var truck = await TruckAsync();
        var name = "Minsu " + Guid.NewGuid().ToString("N")[..4];
        var created = (await Fleet.CreateDriverAsync(name, truck, default)).Value!;
        var oldUrl = $"{FleetAdminContext.PublicBaseUrl}/d/{created.Token}";
        var page = Page();

        await Row(page, "drivers", name).QuerySelector("[data-testid=new-link]")!.ClickAsync(new MouseEventArgs());
        Assert.Contains("stops working right away", page.Find("[data-testid=new-link-warning]").TextContent);
        await page.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new MouseEventArgs());
        Assert.NotNull(await DriverOfAsync(oldUrl)); // cancelled: nothing changed

        await Row(page, "drivers", name).QuerySelector("[data-testid=new-link]")!.ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=confirm-new-link]").ClickAsync(new MouseEventArgs());

        page.WaitForElement("[data-testid=driver-link-dialog]", Patience);
        var newUrl = page.Find("[data-testid=driver-link]").GetAttribute("value")!;
        Assert.NotEqual(oldUrl, newUrl);
        Assert.Null(await DriverOfAsync(oldUrl));
        Assert.Equal(created.Entity.Id, (await DriverOfAsync(newUrl))!.DriverId);
    }

    [Fact]
    public async Task a_driver_is_moved_to_another_truck_unless_on_an_open_delivery()
    {
        var (first, second) = (await TruckAsync("First"), await TruckAsync("Second"));
        var name = "Jiwoo " + Guid.NewGuid().ToString("N")[..4];
        var driver = (await Fleet.CreateDriverAsync(name, first, default)).Value!.Entity;
        var page = Page();

        await Row(page, "drivers", name).QuerySelector("[data-testid=reassign-driver]")!.ClickAsync(new MouseEventArgs());
        await PickTruckAsync(page, "reassign-truck", second);
        await page.Find("[data-testid=save-reassign]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Contains($"{name} now drives {second}.", page.Find("[data-testid=fleet-message]").TextContent), Patience);
        Assert.Contains(second, Row(page, "drivers", name).TextContent);

        await Services.GetRequiredService<FleetRegistry>().CreateDeliveryAsync(second, driver.Id, "Customer", DeliveryStatus.InTransit, default);
        await Row(page, "drivers", name).QuerySelector("[data-testid=reassign-driver]")!.ClickAsync(new MouseEventArgs());
        await PickTruckAsync(page, "reassign-truck", first);
        await page.Find("[data-testid=save-reassign]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("has an open delivery", page.Find(".mud-dialog").TextContent), Patience);
        Assert.Contains(second, Row(page, "drivers", name).TextContent);
    }

    [Fact]
    public async Task a_truck_with_impossible_jumps_shows_how_many_were_kept_out_of_the_map()
    {
        var truck = await TruckAsync("Jumpy");
        await TruckAsync("Quiet");
        foreach (var (seconds, flag) in new[] { (0, (string?)null), (5, "impossible-jump: 14400 km/h"), (10, "impossible-jump: 9000 km/h") })
            await Db.ExecuteAsync("""
                INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, quality_flag)
                VALUES ('s', 'shardId-0', $1, $2, $3, $3, $3, ST_SetSRID(ST_MakePoint(127, 37), 4326), $4)
                """, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), truck, DateTimeOffset.UtcNow.AddMinutes(-10).AddSeconds(seconds), (object?)flag ?? DBNull.Value);

        var page = Page();

        Assert.Equal("2 impossible jump(s) in 24 h, kept out of the map", Row(page, "trucks", "Jumpy").QuerySelector("[data-testid=truck-flagged]")!.TextContent);
        Assert.Null(Row(page, "trucks", "Quiet").QuerySelector("[data-testid=truck-flagged]"));
    }
}

/// <summary>The fleet page before anything exists (its own empty database).</summary>
public sealed class FleetPageEmptyTests(TestDatabase db) : FleetAdminContext(db), IClassFixture<TestDatabase>
{
    [Fact]
    public void an_empty_fleet_says_so_and_asks_for_a_truck_before_drivers()
    {
        SignInAsAdmin("admin-id");
        var page = RenderPage<FleetPage>();
        page.WaitForElement("[data-testid=fleet-page][data-loaded=true]", TimeSpan.FromSeconds(10));

        page.WaitForAssertion(() => Assert.Contains("No trucks yet", page.Find("[data-testid=no-trucks]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains("Add a truck first", page.Find("[data-testid=need-truck]").TextContent);
        Assert.Contains("No drivers yet", page.Find("[data-testid=no-drivers]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=add-driver]"));
    }
}
