using Bunit;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Map;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Dispatch;

public sealed class DispatchPageTests : DispatchPageContext
{
    private static readonly CurrentDelivery Acme = new(Guid.Parse("6f1c1f7e-6a55-4b8e-9f8f-3d8e2c1b0a99"), "ACME Logistics", DeliveryStatus.InTransit);

    /// <summary>Two moving, one stopped, one stale (old fix), one never seen (stale).</summary>
    private void SeedFleet() => Fleet.Add(
        Truck("t-1", "Alpha", Fix("t-1", Start.AddSeconds(-5), 20), "서울 12가 3456", "Kim Minji", Acme),
        Truck("t-2", "Bravo", Fix("t-2", Start.AddSeconds(-10), 15), "부산 34나 7890", "Park Jihoon"),
        Truck("t-3", "Charlie", Fix("t-3", Start.AddSeconds(-20), 0.4), null, "Lee Seojun"),
        Truck("t-4", "Delta", Fix("t-4", Start.AddMinutes(-6), 20), null, "Choi Hyunwoo"),
        Truck("t-5", "Echo", null));

    private IRenderedComponent<DispatchPage> RenderPage()
    {
        var page = Render<DispatchPage>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".dispatch-page").GetAttribute("data-interactive")));
        return page;
    }

    private static string Count(IRenderedComponent<DispatchPage> page, string filter) =>
        page.Find($"[data-testid=count-{filter}]").TextContent;

    private static List<string> RowIds(IRenderedComponent<DispatchPage> page) =>
        page.FindAll("[data-testid=truck-row]").Select(r => r.GetAttribute("data-truck-id")!).ToList();

    // The search box is debounced on the page's clock (MudBlazor uses the injected TimeProvider).
    private void Search(IRenderedComponent<DispatchPage> page, string text)
    {
        page.Find("input[data-testid=truck-search], [data-testid=truck-search] input").Input(text);
        Time.Advance(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void counts_trucks_per_state_and_lists_them_by_name()
    {
        SeedFleet();

        var page = RenderPage();

        Assert.Equal(("5", "2", "1", "2"), (Count(page, "all"), Count(page, "moving"), Count(page, "stopped"), Count(page, "stale")));
        Assert.Equal(["t-1", "t-2", "t-3", "t-4", "t-5"], RowIds(page));
        Assert.Equal(["moving", "moving", "stopped", "stale", "stale"],
            page.FindAll("[data-testid=truck-row]").Select(r => r.GetAttribute("data-state")));
        Assert.Contains("Stale = no fix for 5 min", page.Find("[data-testid=stale-hint]").TextContent);
        Assert.Contains("72 km/h", page.Find("[data-truck-id=t-1]").TextContent);
        Assert.Contains("No fix yet", page.Find("[data-truck-id=t-5]").TextContent);
    }

    [Fact]
    public void filter_chips_show_only_trucks_in_that_state()
    {
        SeedFleet();
        var page = RenderPage();

        page.Find("[data-testid=filter-moving]").Click();
        Assert.Equal(["t-1", "t-2"], RowIds(page));

        page.Find("[data-testid=filter-stopped]").Click();
        Assert.Equal(["t-3"], RowIds(page));

        page.Find("[data-testid=filter-stale]").Click();
        Assert.Equal(["t-4", "t-5"], RowIds(page));
        Assert.Equal("true", page.Find("[data-testid=filter-stale]").GetAttribute("aria-pressed"));

        page.Find("[data-testid=filter-all]").Click();
        Assert.Equal(5, RowIds(page).Count);
    }

    [Theory]
    [InlineData("bravo", "t-2")]
    [InlineData("12가 3456", "t-1")]
    [InlineData("서울12가", "t-1")]
    [InlineData("seojun", "t-3")]
    [InlineData("t-4", "t-4")]
    public void search_matches_name_plate_driver_or_id(string text, string expected)
    {
        SeedFleet();
        var page = RenderPage();

        Search(page, text);

        page.WaitForAssertion(() => Assert.Equal([expected], RowIds(page)));
    }

    [Fact]
    public void search_without_matches_says_so()
    {
        SeedFleet();
        var page = RenderPage();

        Search(page, "zzz");

        page.WaitForAssertion(() => Assert.Contains("No trucks match", page.Find("[data-testid=no-trucks]").TextContent));
    }

    [Fact]
    public void a_truck_without_fixes_turns_stale_after_the_threshold_on_the_next_refresh()
    {
        Fleet.Add(Truck("t-1", "Alpha", Fix("t-1", Start, 20)));
        var page = RenderPage();
        Assert.Equal(("1", "0"), (Count(page, "moving"), Count(page, "stale")));

        Time.Advance(TimeSpan.FromMinutes(5));
        page.WaitForAssertion(() => Assert.Contains("5 min ago", page.Find("[data-truck-id=t-1]").TextContent));
        Assert.Equal("moving", page.Find("[data-truck-id=t-1]").GetAttribute("data-state"));

        Time.Advance(TimeSpan.FromSeconds(2));
        page.WaitForAssertion(() => Assert.Equal(("0", "1"), (Count(page, "moving"), Count(page, "stale"))));
        Assert.Equal("stale", page.Find("[data-truck-id=t-1]").GetAttribute("data-state"));
    }

    [Fact]
    public void stale_threshold_comes_from_options()
    {
        DispatchOptions.StaleAfter = TimeSpan.FromMinutes(10);
        SeedFleet();

        var page = RenderPage();

        Assert.Equal("1", Count(page, "stale"));
        Assert.Contains("no fix for 10 min", page.Find("[data-testid=stale-hint]").TextContent);
    }

    [Fact]
    public async Task live_fixes_change_state_only_on_the_timer_not_per_position()
    {
        SeedFleet();
        var page = RenderPage();
        var renders = page.RenderCount;

        await Feed.PublishAsync(Fix("t-3", Start, 25));
        page.WaitForAssertion(() => Assert.Equal(2, UpdateCalls.Count));
        Assert.Equal(renders, page.RenderCount);
        Assert.Equal("stopped", page.Find("[data-truck-id=t-3]").GetAttribute("data-state"));

        Time.Advance(DispatchOptions.ListRefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("moving", page.Find("[data-truck-id=t-3]").GetAttribute("data-state")));
        Assert.Equal("3", Count(page, "moving"));
    }

    [Fact]
    public void map_gets_every_truck_with_a_position_in_one_call_when_ready()
    {
        SeedFleet();

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Single(UpdateCalls));
        var rows = Rows(UpdateCalls[0]);
        Assert.Equal(["t-1", "t-2", "t-3", "t-4"], rows.Select(r => (string)r[0]!));
        Assert.Equal(["t-1", 37.5, 127.0, 90.0, 20.0, Start.AddSeconds(-5).ToUnixTimeMilliseconds()], rows[0]);
        Assert.Single(MapModule.Invocations["fitTrucks"]);
        var create = MapModule.Invocations["createMap"].Single();
        Assert.NotNull(create.Arguments[2]);
    }

    [Fact]
    public async Task feed_batches_become_one_throttled_coalesced_update_call()
    {
        SeedFleet();
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Single(UpdateCalls));
        Assert.Equal(1, Feed.ActiveAllSubscriptions);

        // The first batch goes at once.
        await Feed.PublishAsync([Fix("t-1", Start.AddSeconds(1), 21, lat: 37.51)]);
        page.WaitForAssertion(() => Assert.Equal(2, UpdateCalls.Count));

        // Within the interval: three batches, t-2 twice, plus an unknown truck and an old fix.
        await Feed.PublishAsync([Fix("t-2", Start.AddSeconds(1), 15, lat: 35.1)]);
        await Feed.PublishAsync([Fix("t-2", Start.AddSeconds(2), 16, lat: 35.2, heading: null), Fix("t-3", Start.AddSeconds(2), 0)]);
        await Feed.PublishAsync([Fix("t-1", Start.AddSeconds(-60), 0), Fix("nobody", Start, 1)]);
        Time.Advance(DispatchOptions.MapFlushInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, UpdateCalls.Count);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        page.WaitForAssertion(() => Assert.Equal(3, UpdateCalls.Count));
        var rows = Rows(UpdateCalls[2]).OrderBy(r => (string)r[0]!).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["t-2", 35.2, 127.0, null, 16.0, Start.AddSeconds(2).ToUnixTimeMilliseconds()], rows[0]);
        Assert.Equal("t-3", rows[1][0]);
    }

    [Fact]
    public async Task clicking_a_row_opens_the_panel_zooms_to_the_truck_and_draws_todays_trail()
    {
        SeedFleet();
        Fleet.Trails["t-1"] = [new TrailPoint(37.4, 126.9, Start.AddHours(-1)), new TrailPoint(37.45, 126.95, Start.AddMinutes(-30))];
        var page = RenderPage();

        await page.Find("[data-truck-id=t-1]").ClickAsync(new());

        var details = page.Find("[data-testid=truck-details]");
        Assert.Equal("t-1", details.GetAttribute("data-truck-id"));
        Assert.Equal("Kim Minji", page.Find("[data-testid=details-driver]").TextContent);
        Assert.Contains("ACME Logistics", page.Find("[data-testid=details-delivery]").TextContent);
        Assert.Contains("In transit", page.Find("[data-testid=details-delivery]").TextContent);
        Assert.Contains("72 km/h", page.Find("[data-testid=details-speed]").TextContent);
        Assert.Equal("5 s ago", page.Find("[data-testid=details-age]").TextContent);
        Assert.Contains("2 points", page.Find("[data-testid=details-trail]").TextContent);
        Assert.Contains("selected", page.Find("[data-truck-id=t-1]").ClassList);

        var request = Assert.Single(Fleet.TrailRequests);
        // Today's trail starts at midnight in Seoul (the operations zone), not at the server's midnight.
        Assert.Equal(("t-1", new DateTimeOffset(2026, 3, 14, 0, 0, 0, TimeSpan.FromHours(9)), DispatchOptions.TrailMaxPoints), request);
        var select = MapModule.Invocations["selectTruck"].Last();
        Assert.Equal(("t-1", true), ((string?)select.Arguments[1], (bool)select.Arguments[2]!));
        var trail = MapModule.Invocations["showTrail"].Last();
        Assert.Equal("t-1", trail.Arguments[1]);
        Assert.Equal([[37.4, 126.9], [37.45, 126.95]], (double[][])trail.Arguments[2]!);
    }

    [Fact]
    public async Task clicking_a_marker_opens_its_panel_without_zooming_and_close_clears_it()
    {
        SeedFleet();
        var page = RenderPage();
        var map = page.FindComponent<FleetMap>();

        await page.InvokeAsync(() => map.Instance.TruckClickedAsync("t-4"));

        page.WaitForAssertion(() => Assert.Equal("t-4", page.Find("[data-testid=truck-details]").GetAttribute("data-truck-id")));
        Assert.Equal("6 min ago", page.Find("[data-testid=details-age]").TextContent);
        Assert.Contains("No positions today", page.Find("[data-testid=details-trail]").TextContent);
        Assert.False((bool)MapModule.Invocations["selectTruck"].Last().Arguments[2]!);

        await page.Find("[data-testid=details-close]").ClickAsync(new());

        Assert.Empty(page.FindAll("[data-testid=truck-details]"));
        Assert.Null(MapModule.Invocations["selectTruck"].Last().Arguments[1]);
        Assert.Null(MapModule.Invocations["showTrail"].Last().Arguments[1]);
    }

    [Fact]
    public void delivery_filter_lists_statuses_present_and_trucks_without_one()
    {
        SeedFleet();
        var page = RenderPage();
        var board = (FleetBoard)typeof(DispatchPage).GetField("_board", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(page.Instance)!;

        Assert.Equal([DeliveryStatus.InTransit], board.DeliveryStatuses);
        board.Delivery = DeliveryFilter.In(DeliveryStatus.InTransit);
        board.ApplyFilter();
        Assert.Equal(["t-1"], board.Visible.Select(t => t.Id));
        board.Delivery = DeliveryFilter.WithoutDelivery;
        board.ApplyFilter();
        Assert.Equal(["t-2", "t-3", "t-4", "t-5"], board.Visible.Select(t => t.Id));
    }

    [Fact]
    public void a_failed_load_is_shown_and_retried_on_the_next_refresh()
    {
        SeedFleet();
        Fleet.ListFailure = new InvalidOperationException("database down");
        var page = RenderPage();
        Assert.NotNull(page.Find("[data-testid=load-failed]"));

        Fleet.ListFailure = null;
        Time.Advance(DispatchOptions.ListRefreshInterval);

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=load-failed]")));
        Assert.Equal("5", Count(page, "all"));
    }

    [Fact]
    public async Task disposing_the_page_ends_the_subscription_and_the_map()
    {
        SeedFleet();
        RenderPage();
        Assert.Equal(1, Feed.ActiveAllSubscriptions);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.ActiveAllSubscriptions);
        Assert.NotEmpty(MapModule.Invocations["disposeMap"]);
    }
}

public sealed class DispatchPageKoreanTests() : DispatchPageContext("ko")
{
    [Fact]
    public void korean_request_gets_korean_text()
    {
        Fleet.Add(Truck("t-1", "Alpha", Fix("t-1", Start.AddSeconds(-3), 20), driver: "김민수"),
            Truck("t-2", "Bravo", null));

        var page = Render<DispatchPage>();

        Assert.Contains("운행 중", page.Find("[data-testid=filter-moving]").TextContent);
        Assert.Contains("신호 없음", page.Find("[data-testid=filter-stale]").TextContent);
        Assert.Contains("3초 전", page.Find("[data-truck-id=t-1]").TextContent);
        Assert.Contains("위치 없음", page.Find("[data-truck-id=t-2]").TextContent);
        Assert.Contains("차량 2대", page.Find("[data-testid=truck-total]").TextContent);
    }
}
