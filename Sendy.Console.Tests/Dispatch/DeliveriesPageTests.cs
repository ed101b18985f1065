using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Dispatch;

/// <summary>The list: what it shows, filters and search, live status changes, the tracking link.</summary>
public sealed class DeliveriesPageTests : DeliveriesPageContext
{
    private static Task SelectStatusAsync(IRenderedComponent<Sendy.Console.Components.Pages.Dispatch.DeliveriesPage> page, string value)
    {
        var select = page.FindComponent<MudSelect<string>>();
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    [Fact]
    public void with_no_deliveries_it_says_how_to_book_one()
    {
        var (page, _, _) = RenderPage();

        Assert.Empty(RowIds(page));
        Assert.Contains("No deliveries yet", page.Find("[data-testid=no-deliveries]").TextContent);
        Assert.Equal("0 deliveries", page.Find("[data-testid=delivery-count]").TextContent);
    }

    [Fact]
    public async Task rows_show_customer_status_truck_driver_and_route()
    {
        var (truck, driver) = await DriverAsync("Minsu Kim", "Truck 7", "경기 81바 1234");
        var assigned = await BookAsync("Park Jiwoo", "+821012345678");
        await Bookings.AssignAsync(assigned.Id, driver, "dispatcher", default);
        var waiting = await BookAsync("Kim Haneul");

        var (page, _, _) = RenderPage();

        var row = Row(page, assigned.Id).ParentElement!;
        Assert.Contains("Park Jiwoo", row.TextContent);
        Assert.Contains("+821012345678", row.TextContent);
        Assert.Equal("Driver assigned", row.QuerySelector("[data-testid=delivery-status]")!.TextContent.Trim());
        Assert.Contains("Truck 7", row.QuerySelector("[data-testid=delivery-truck]")!.TextContent);
        Assert.Contains("경기 81바 1234", row.QuerySelector("[data-testid=delivery-truck]")!.TextContent);
        Assert.Equal("Minsu Kim", row.QuerySelector("[data-testid=delivery-driver]")!.TextContent.Trim());
        Assert.Contains("인천광역시 중구 서해대로 366", row.TextContent);
        Assert.Contains("부산광역시 강서구 신항로 295", row.TextContent);
        Assert.Equal("Not assigned", Row(page, waiting.Id).ParentElement!.QuerySelector("[data-testid=delivery-driver]")!.TextContent.Trim());
        Assert.Equal("Booked", Row(page, waiting.Id).GetAttribute("data-status"));
        Assert.Equal("2 deliveries", page.Find("[data-testid=delivery-count]").TextContent);
        Assert.Equal(truck, (await Services.GetRequiredService<DispatchBoardQueries>().GetAsync(assigned.Id, default))!.TruckId);
    }

    [Fact]
    public async Task planned_arrival_is_shown_in_seoul_time()
    {
        var booked = await BookAsync("Park Jiwoo", planned: new DateTimeOffset(2030, 11, 24, 15, 30, 0, TimeSpan.Zero));

        var (page, _, _) = RenderPage();

        // 15:30 UTC on the 24th is 00:30 on the 25th in Seoul.
        Assert.Contains("11-25 00:30", Row(page, booked.Id).ParentElement!.TextContent);
    }

    [Fact]
    public async Task the_window_shipper_and_server_eta_are_shown()
    {
        var shipper = (await Services.GetRequiredService<Sendy.Engine.Shippers.ShipperRegistry>()
            .CreateAsync(new("Hanbit Trading " + Guid.NewGuid().ToString("N")[..4], null, null, null, null, null), default)).Shipper!;
        var booked = await Bookings.BookAsync(new NewDelivery("Window Customer", null, null, "ko",
            new GeoAddress("인천항", 37.45, 126.6), new GeoAddress("부산항", 35.1, 129.04), new DateTimeOffset(2030, 11, 25, 2, 0, 0, TimeSpan.Zero))
        {
            ShipperId = shipper.Id, PromisedFrom = new DateTimeOffset(2030, 11, 25, 0, 0, 0, TimeSpan.Zero),
        }, StatusActor.Dispatcher("dispatcher"), default);
        // In transit with a server estimate 45 minutes past the window: late.
        await Db.ExecuteAsync("""
            UPDATE deliveries SET status = 'InTransit', eta_kind = 'Estimated', estimated_arrival_at = '2030-11-25T02:45:00Z', eta_updated_at = now()
            WHERE id = $1
            """, booked.Id);

        var (page, _, _) = RenderPage();

        var row = Row(page, booked.Id).ParentElement!;
        Assert.Equal("11-25 09:00–11:00", row.QuerySelector("[data-testid=delivery-window]")!.TextContent.Trim()); // Seoul time
        Assert.Equal(shipper.Name, row.QuerySelector("[data-testid=delivery-shipper]")!.TextContent.Trim());
        var eta = row.QuerySelector("[data-testid=delivery-eta]")!;
        Assert.Equal("11-25 11:45", eta.TextContent.Trim());
        Assert.Contains("deliveries-late", eta.ClassName);

    }

    [Fact]
    public async Task a_truck_the_server_cannot_estimate_shows_no_eta()
    {
        var booked = await BookAsync("Calculating Customer", planned: new DateTimeOffset(2030, 11, 25, 2, 0, 0, TimeSpan.Zero));
        await Db.ExecuteAsync("""
            UPDATE deliveries SET status = 'InTransit', eta_kind = 'Calculating', estimated_arrival_at = '2030-11-25T02:45:00Z', eta_updated_at = now()
            WHERE id = $1
            """, booked.Id);

        var (page, _, _) = RenderPage();

        var eta = Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=delivery-eta]")!;
        Assert.Equal("–", eta.TextContent.Trim());
        Assert.DoesNotContain("deliveries-late", eta.ClassName);
    }

    [Fact]
    public async Task open_is_the_default_filter_and_closed_ones_show_why_they_cannot_be_assigned()
    {
        var open = await BookAsync("Open Customer");
        var closed = await BookAsync("Closed Customer");
        await CancelInDbAsync(closed.Id, "customer called off");

        var (page, _, _) = RenderPage();
        Assert.Equal([open.Id], RowIds(page));

        await SelectStatusAsync(page, "all");
        page.WaitForAssertion(() => Assert.Equal(2, RowIds(page).Count));
        var row = Row(page, closed.Id).ParentElement!;
        Assert.Contains("Reason: customer called off", row.QuerySelector("[data-testid=close-reason]")!.TextContent);
        Assert.Equal("Cancelled deliveries are closed and can't be assigned.", row.QuerySelector("[data-testid=assign-closed]")!.GetAttribute("title"));
        Assert.Null(row.QuerySelector("[data-testid=assign]"));
        Assert.Null(row.QuerySelector("[data-testid=cancel]"));

        await SelectStatusAsync(page, nameof(DeliveryStatus.Cancelled));
        page.WaitForAssertion(() => Assert.Equal([closed.Id], RowIds(page)));
    }

    [Fact]
    public async Task search_matches_customer_address_truck_and_driver()
    {
        var (_, driver) = await DriverAsync("Lee Seojun", "Blue truck", "부산 34나 7890");
        var first = await BookAsync("Choi Yuna");
        await Bookings.AssignAsync(first.Id, driver, "dispatcher", default);
        var second = await BookAsync("Jung Hoseok");
        var (page, _, _) = RenderPage();

        // Through the box's ValueChanged: the typing debounce is MudBlazor's, and its timer races a fake clock.
        var box = page.FindComponent<MudTextField<string>>();
        foreach (var (text, expected) in new[] { ("yuna", first.Id), ("34나", first.Id), ("seojun", first.Id), ("HOSEOK", second.Id) })
        {
            await page.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(text));
            Assert.Equal([expected], RowIds(page));
        }

        await page.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync("nobody here"));
        Assert.Contains("No deliveries match", page.Find("[data-testid=no-deliveries]").TextContent);
    }

    [Fact]
    public async Task a_status_change_anywhere_updates_the_row_live()
    {
        var (_, driver) = await DriverAsync("Minsu Kim", "Truck 7", null);
        var booked = await BookAsync("Live Customer");
        await Bookings.AssignAsync(booked.Id, driver, "dispatcher", default);
        var (page, _, _) = RenderPage();
        Assert.Equal("DriverAssigned", Row(page, booked.Id).GetAttribute("data-status"));

        var moved = await Statuses.ChangeAsync(new StatusChangeRequest(booked.Id, DeliveryStatus.EnRouteToPickup, StatusActor.Driver(driver), "drv-1"), default);
        Assert.Equal(StatusChangeOutcome.Changed, moved.Outcome);
        page.WaitForAssertion(() => Assert.Equal("EnRouteToPickup", Row(page, booked.Id).GetAttribute("data-status")));
        Assert.Equal("To pickup", Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=delivery-status]")!.TextContent.Trim());

        // A delivery booked elsewhere appears without a reload.
        var other = await BookAsync("Booked Elsewhere");
        page.WaitForAssertion(() => Assert.Contains(other.Id, RowIds(page)));
    }

    [Fact]
    public async Task copy_link_puts_the_customers_link_on_the_clipboard()
    {
        var booked = await BookAsync("Link Customer");
        Clipboard.Setup<bool>("copyText", _ => true).SetResult(true);
        var (page, _, snackbars) = RenderPage();

        Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=copy-link]")!.Click();

        snackbars.WaitForAssertion(() => Assert.Contains("Tracking link copied", snackbars.Markup));
        var copied = Clipboard.Invocations["copyText"].Single().Arguments[0];
        Assert.Equal($"{BaseUrl}/t/{booked.TrackingToken}", copied);
    }

    [Fact]
    public async Task where_the_browser_refuses_to_copy_the_link_is_shown_selected()
    {
        var booked = await BookAsync("Link Customer");
        Clipboard.Setup<bool>("copyText", _ => true).SetResult(false);
        var (page, dialogs, _) = RenderPage();

        Row(page, booked.Id).ParentElement!.QuerySelector("[data-testid=copy-link]")!.Click();

        dialogs.WaitForAssertion(() => Assert.Equal($"{BaseUrl}/t/{booked.TrackingToken}", Field(dialogs, "tracking-link").GetAttribute("value")));
        dialogs.WaitForAssertion(() => Assert.Single(Clipboard.Invocations["selectText"]));
        Assert.Contains("press Ctrl+C", dialogs.Find("[data-testid=link-select-hint]").TextContent);
    }
}
