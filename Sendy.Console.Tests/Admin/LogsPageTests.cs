using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using static Sendy.Console.Tests.Admin.AdminLogSamples;

namespace Sendy.Console.Tests.Admin;

public sealed class LogsPageTests : AdminPageContext
{
    [Fact]
    public void lists_deliveries_newest_first_from_the_server_with_links_to_their_history()
    {
        Logs.Deliveries.AddRange([HanbitRow, AcmeRow]);

        var page = Render<LogsPage>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=deliveries-grid] tbody tr.admin-logs-row").Count));
        var (filter, request) = Logs.DeliveryRequests[^1];
        Assert.Equal(new DeliveryLogFilter(), filter);
        Assert.Equal((DeliveryLogSort.CreatedAt, true, 0, 25), (request.Sort, request.Descending, request.Page, request.PageSize));
        var first = page.FindAll("tr.admin-logs-row")[0].TextContent;
        Assert.Contains("한빛 물류", first);
        Assert.Contains("bbbb2222", first);
        Assert.Contains("Truck Two", first);
        Assert.Contains("In transit", first);
        Assert.Equal($"/admin/deliveries/{Hanbit}", page.Find("[data-testid=delivery-link]").GetAttribute("href"));
        Assert.Equal("/api/v1/admin/logs/deliveries/export?sort=CreatedAt&desc=true", page.Find("[data-testid=export-csv]").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=export-csv]").GetAttribute("download"));
        Assert.Contains("1–2 of 2", page.Markup);
    }

    [Fact]
    public void clicking_a_row_opens_the_deliverys_history()
    {
        Logs.Deliveries.Add(AcmeRow);
        var page = Render<LogsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.admin-logs-row")));

        page.Find("tr.admin-logs-row td").Click();

        Assert.EndsWith($"/admin/deliveries/{Acme}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void says_so_when_nothing_matches()
    {
        var page = Render<LogsPage>();
        page.WaitForAssertion(() => Assert.Contains("No deliveries match these filters.", page.Find("[data-testid=no-deliveries]").TextContent));
    }

    [Fact]
    public void shows_loading_until_the_database_answers()
    {
        Logs.Gate = new TaskCompletionSource();
        Logs.Deliveries.Add(AcmeRow);
        var page = Render<LogsPage>();

        page.WaitForAssertion(() => Assert.Contains("Loading…", page.Markup));
        Assert.Empty(page.FindAll("tr.admin-logs-row"));

        Logs.Gate.SetResult();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.admin-logs-row")));
        Assert.DoesNotContain("Loading…", page.Markup);
    }

    [Fact]
    public void a_failed_query_shows_a_warning_not_an_error_page()
    {
        Logs.Fail = true;
        var page = Render<LogsPage>();
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Find("[data-testid=load-failed]").TextContent));
    }

    [Fact]
    public void typing_a_customer_filters_on_the_server_and_the_export_link_follows()
    {
        Logs.Deliveries.AddRange([HanbitRow, AcmeRow]);
        var page = Render<LogsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tr.admin-logs-row").Count));

        page.Find("[data-testid=filter-delivery] input, input[data-testid=filter-delivery]").Input("acme");

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.admin-logs-row")));
        Assert.Equal("acme", Logs.DeliveryRequests[^1].Filter.Delivery);
        page.WaitForAssertion(() => Assert.Equal("/api/v1/admin/logs/deliveries/export?delivery=acme&sort=CreatedAt&desc=true",
            page.Find("[data-testid=export-csv]").GetAttribute("href")));
    }

    [Fact]
    public void status_events_tab_shows_change_actor_and_note()
    {
        Logs.Events.Add(Event(Hanbit, "한빛 물류", DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, StatusActorKind.Driver, "id", "Lee Jiwoo",
            Day.AddHours(4), note: "문 앞에 두세요"));
        Logs.Events.Add(Event(Acme, "ACME Logistics", DeliveryStatus.InTransit, DeliveryStatus.Failed, StatusActorKind.System, "geofence", null,
            Day.AddHours(3), reason: "Nobody home"));
        var page = Render<LogsPage>();

        page.FindAll(".mud-tab")[1].Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=events-grid] tr.admin-logs-row").Count));
        var rows = page.FindAll("[data-testid=events-grid] tr.admin-logs-row");
        Assert.Contains("Driver assigned", rows[0].TextContent);
        Assert.Contains("Picked up", rows[0].TextContent);
        Assert.Contains("Lee Jiwoo", rows[0].TextContent);
        Assert.Contains("문 앞에 두세요", rows[0].TextContent);
        Assert.Contains("System (geofence)", rows[1].TextContent);
        Assert.Contains("Nobody home", rows[1].TextContent);
        Assert.Equal((StatusEventLogSort.OccurredAt, true), (Logs.EventRequests[^1].Page.Sort, Logs.EventRequests[^1].Page.Descending));
        Assert.StartsWith("/api/v1/admin/logs/status-events/export?", page.Find("[data-testid=export-csv]").GetAttribute("href"));
    }

    [Fact]
    public async Task dates_are_whole_days_in_the_operations_zone_and_the_filter_says_which()
    {
        Logs.Deliveries.Add(AcmeRow);
        var page = Render<LogsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr.admin-logs-row")));
        Assert.Contains("Dates (Asia/Seoul)", page.Find("[data-testid=log-filters]").TextContent);

        var picker = page.FindComponent<MudDateRangePicker>();
        await page.InvokeAsync(() => picker.Instance.DateRangeChanged.InvokeAsync(new DateRange(new DateTime(2026, 11, 25), new DateTime(2026, 11, 26))));

        // The 25th and 26th in Seoul: from 15:00 UTC on the 24th to 15:00 UTC on the 26th.
        page.WaitForAssertion(() => Assert.NotNull(Logs.DeliveryRequests[^1].Filter.From));
        var filter = Logs.DeliveryRequests[^1].Filter;
        Assert.Equal((Day.AddHours(-9), Day.AddDays(2).AddHours(-9)), (filter.From, filter.To));
    }

    [Fact]
    public void times_in_the_grid_are_seoul_times()
    {
        Logs.Deliveries.Add(AcmeRow with { CreatedAt = Day.AddHours(-9).AddMinutes(5) });
        var page = Render<LogsPage>();

        // 15:05 UTC on the 24th is 00:05 on the 25th in Seoul.
        page.WaitForAssertion(() => Assert.Contains("11/25/2026 12:05", page.Find("tr.admin-logs-row").TextContent));
    }

    [Theory]
    [InlineData("CustomerName", false, DeliveryLogSort.Customer, false)]
    [InlineData("Status", true, DeliveryLogSort.Status, true)]
    [InlineData("DeliveredAt", false, DeliveryLogSort.DeliveredAt, false)]
    [InlineData("TrackingTokenHash", false, DeliveryLogSort.CreatedAt, true)] // not a column: newest first
    [InlineData("1; DROP TABLE deliveries", false, DeliveryLogSort.CreatedAt, true)]
    public void grid_columns_map_onto_the_sort_whitelist(string column, bool descending, DeliveryLogSort sort, bool expectDescending)
    {
        var sorts = new List<SortDefinition<DeliveryLogRow>> { new(column, descending, 0, _ => 0) };
        Assert.Equal((sort, expectDescending), LogsPage.SortOf(sorts, LogsPage.DeliveryColumns, DeliveryLogSort.CreatedAt));
    }
}
