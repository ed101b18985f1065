using Bunit;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Audit;
using Sendy.Engine.Exports;
using static Sendy.Console.Tests.Admin.AdminLogSamples;

namespace Sendy.Console.Tests.Admin;

/// <summary>The admin log's tab on /admin/logs: who did what, newest first, paged; the delivery filters and CSV button are not its own.</summary>
public sealed class AdminLogTabTests : AdminPageContext
{
    private static readonly AdminActor Kim = new(AdminActorKind.Staff, "u-1", "Kim Admin", "kim@test.local");

    private static AdminLogRow Row(long id, AdminActor who, StaffAction what, long rows, AdminLogOutcome outcome) =>
        new(id, Day.AddHours(id), outcome == AdminLogOutcome.Started ? null : Day.AddHours(id).AddSeconds(2), who, what, rows, outcome);

    private IRenderedComponent<LogsPage> OpenTab()
    {
        var page = Render<LogsPage>();
        page.FindAll(".mud-tab")[2].Click();
        return page;
    }

    [Fact]
    public void lists_who_exported_what_newest_first_with_rows_and_outcome()
    {
        AdminLog.Add(Row(1, Kim, new StaffAction(AdminAction.DeliveriesLogExport, ExportFormat.Csv, Detail: "truck=lg-1&sort=Customer"), 12,
            AdminLogOutcome.Completed));
        AdminLog.Add(Row(2, new AdminActor(AdminActorKind.ApiClient, "c-1", "booking-prod", null),
            new StaffAction(AdminAction.TruckDayTrackExport, ExportFormat.Gpx, TruckId: "lg-2", Day: new DateOnly(2026, 11, 24)), 43_200, AdminLogOutcome.Aborted));
        AdminLog.Add(Row(3, Kim, new StaffAction(AdminAction.DeliveryTrackExport, ExportFormat.Csv, Acme, "lg-1"), 18_234, AdminLogOutcome.Failed));
        AdminLog.Add(Row(4, Kim, new StaffAction(AdminAction.StatusEventsLogExport, ExportFormat.Csv), 0, AdminLogOutcome.Started));

        var page = OpenTab();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=admin-log-grid] tbody tr").Count));
        var rows = page.FindAll("[data-testid=admin-log-grid] tbody tr");
        Assert.Equal(["StatusEventsLogExport", "DeliveryTrackExport", "TruckDayTrackExport", "DeliveriesLogExport"],
            page.FindAll("[data-testid=admin-log-action]").Select(e => e.GetAttribute("data-action")));
        Assert.Equal(["Started", "Failed", "Aborted", "Completed"], page.FindAll("[data-testid=admin-log-outcome]").Select(e => e.GetAttribute("data-outcome")));
        Assert.Contains("Status events log", rows[0].TextContent);
        Assert.Contains("Not finished", rows[0].TextContent);
        Assert.Contains("No filter: every row", rows[0].TextContent);
        Assert.Contains("Kim Admin", rows[1].TextContent);
        Assert.Contains("kim@test.local", rows[1].TextContent);
        Assert.Contains("Delivery track", rows[1].TextContent);
        Assert.Equal($"/admin/deliveries/{Acme}", rows[1].QuerySelector("[data-testid=admin-log-delivery]")!.GetAttribute("href"));
        Assert.Contains("18,234", rows[1].TextContent);
        Assert.Contains("API client booking-prod", rows[2].TextContent);
        Assert.Contains("lg-2 · 2026-11-24", rows[2].TextContent);
        Assert.Contains("GPX", rows[2].TextContent);
        Assert.Contains("Cancelled", rows[2].TextContent);
        Assert.Contains("Filter: truck=lg-1&sort=Customer", rows[3].TextContent);
        // 01:00 UTC on the 25th is 10:00 in Seoul.
        Assert.Contains("11/25/2026 10:00", rows[3].TextContent);
    }

    [Fact]
    public void the_delivery_filters_and_csv_button_step_aside_on_the_admin_log()
    {
        var page = Render<LogsPage>();
        Assert.NotNull(page.Find("[data-testid=export-csv]"));

        page.FindAll(".mud-tab")[2].Click();

        page.WaitForAssertion(() => Assert.Contains("Nothing recorded yet.", page.Find("[data-testid=no-admin-log]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=export-csv]"));
        Assert.Contains("d-none", page.Find("[data-testid=log-filters]").ClassList);

        page.FindAll(".mud-tab")[0].Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=export-csv]")));
        Assert.DoesNotContain("d-none", page.Find("[data-testid=log-filters]").ClassList);
    }

    [Fact]
    public void pages_come_from_the_server()
    {
        for (var i = 1; i <= 30; i++)
            AdminLog.Add(Row(i, Kim, new StaffAction(AdminAction.DeliveriesLogExport, ExportFormat.Csv), i, AdminLogOutcome.Completed));

        var page = OpenTab();

        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=admin-log-grid] tbody tr").Count));
        Assert.Equal("30", page.FindAll("[data-testid=admin-log-rows]")[0].TextContent);
        Assert.Contains("1–25 of 30", page.Markup);
    }

    [Fact]
    public void a_failed_read_shows_a_warning()
    {
        AdminLog.Fail = true;
        var page = OpenTab();
        page.WaitForAssertion(() => Assert.Contains("could not be loaded", page.Find("[data-testid=admin-log-failed]").TextContent));
    }

    [Fact]
    public void the_tab_speaks_korean()
    {
        UseCulture("ko");
        AdminLog.Add(Row(1, Kim, new StaffAction(AdminAction.TruckDayTrackExport, ExportFormat.Csv, TruckId: "lg-1", Day: new DateOnly(2026, 11, 25)), 5,
            AdminLogOutcome.Completed));

        var page = Render<LogsPage>();
        Assert.Contains("관리 기록", page.FindAll(".mud-tab")[2].TextContent);
        page.FindAll(".mud-tab")[2].Click();

        page.WaitForAssertion(() => Assert.Contains("차량 하루 경로", page.Find("[data-testid=admin-log-grid] tbody tr").TextContent));
        Assert.Contains("완료", page.Find("[data-testid=admin-log-outcome]").TextContent);
    }
}
