using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using static Sendy.Console.Tests.Admin.AdminLogSamples;

namespace Sendy.Console.Tests.Admin;

public sealed class DeliveryHistoryPageTests : AdminPageContext
{
    private IRenderedComponent<DeliveryHistoryPage> RenderFor(string id) => Render<DeliveryHistoryPage>(p => p.Add(x => x.Id, id));

    [Theory]
    [InlineData("aaaa1111-0000-0000-0000-00000000ffff")]
    [InlineData("not-a-guid")]
    public void unknown_delivery_gets_a_friendly_not_found(string id)
    {
        var page = RenderFor(id);

        Assert.Equal("notfound", page.Find("[data-testid=history-page]").GetAttribute("data-state"));
        Assert.Contains("No delivery with this ID", page.Find("[data-testid=history-not-found]").TextContent);
        Assert.Equal("/admin/logs", page.Find("[data-testid=history-not-found] a").GetAttribute("href"));
    }

    [Fact]
    public void shows_a_skeleton_while_loading()
    {
        History.Gate = new TaskCompletionSource();
        History.Histories[Acme] = AcmeHistory;
        var page = RenderFor(Acme.ToString());

        Assert.NotNull(page.Find("[data-testid=history-loading]"));

        History.Gate.SetResult();
        page.WaitForAssertion(() => Assert.Equal("loaded", page.Find("[data-testid=history-page]").GetAttribute("data-state")));
    }

    [Fact]
    public async Task leaving_the_page_mid_load_cancels_the_query_and_logs_nothing()
    {
        var logs = new LogCapture();
        Services.AddSingleton(logs.Factory());
        History.Gate = new TaskCompletionSource(); // never opens: the load waits until the page goes away
        History.Histories[Acme] = AcmeHistory;
        var page = RenderFor(Acme.ToString());
        Assert.NotNull(page.Find("[data-testid=history-loading]"));

        await DisposeComponentsAsync();

        Assert.True(History.LastToken.IsCancellationRequested);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void header_timeline_and_notifications_sent_or_pending()
    {
        History.Histories[Acme] = AcmeHistory;
        History.Routes[Acme] = Route(3, 3);

        var page = RenderFor(Acme.ToString());

        var header = page.Find("[data-testid=history-header]").TextContent;
        Assert.Contains("ACME Logistics", header);
        Assert.Contains("Truck One · 서울 12가 3456", header);
        Assert.Contains("Kim Minsu", header);
        Assert.Contains("인천 중구 공항로 272", header);
        Assert.Contains("Delivered", header);
        var events = page.FindAll("[data-testid=timeline-event]");
        Assert.Equal(["DriverAssigned", "PickedUp", "Delivered"], events.Select(e => e.GetAttribute("data-status")));
        Assert.Contains("from Driver assigned · by driver Kim Minsu", events[1].TextContent);
        Assert.Contains("Gate 3", events[1].TextContent);
        Assert.Contains("by disp@sendy.test", events[0].TextContent);
        var notifications = page.FindAll("[data-testid=notification-row]");
        Assert.Equal(2, notifications.Count);
        Assert.Equal(("true", "false"), (notifications[0].GetAttribute("data-sent"), notifications[1].GetAttribute("data-sent")));
        Assert.Contains("Email", notifications[0].TextContent);
        Assert.Contains("<abc@sendy.test>", notifications[0].TextContent);
        Assert.Contains("Pending", notifications[1].TextContent);
        Assert.Contains("3 recorded positions", page.Find("[data-testid=route-count]").TextContent);
    }

    [Fact]
    public void a_thinned_route_says_how_much_was_left_out()
    {
        History.Histories[Acme] = AcmeHistory;
        History.Routes[Acme] = Route(5000, 18234);

        var page = RenderFor(Acme.ToString());

        Assert.Contains("Showing 5,000 of 18,234 recorded positions", page.Find("[data-testid=route-count]").TextContent);
    }

    [Fact]
    public void without_a_truck_or_positions_there_is_no_replay_but_a_reason()
    {
        History.Histories[Acme] = AcmeHistory;
        var page = RenderFor(Acme.ToString());
        Assert.Contains("No truck has been assigned", page.Find("[data-testid=route-empty]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=replay-controls]"));

        History.Routes[Hanbit] = Route(0, 0);
        History.Histories[Hanbit] = AcmeHistory with { Summary = HanbitRow };
        page = RenderFor(Hanbit.ToString());
        Assert.Contains("No positions were recorded", page.Find("[data-testid=route-empty]").TextContent);
    }

    [Fact]
    public void times_are_seoul_times()
    {
        History.Histories[Acme] = AcmeHistory with { Summary = AcmeRow with { CreatedAt = Day.AddHours(-9).AddMinutes(5) } };

        var page = RenderFor(Acme.ToString());

        // 15:05 UTC on the 24th is 00:05 on the 25th in Seoul.
        Assert.Contains("Created 11/25/2026 12:05", page.Find("[data-testid=history-header]").TextContent);
    }

    [Fact]
    public void korean_page_reads_naturally()
    {
        UseCulture("ko");
        History.Histories[Acme] = AcmeHistory;
        History.Routes[Acme] = Route(3, 3);

        var page = RenderFor(Acme.ToString());

        Assert.Contains("상태 타임라인", page.Markup);
        Assert.Contains("기사 Kim Minsu", page.Markup);
        Assert.Contains("대기 중", page.Find("[data-testid=history-notifications]").TextContent);
        Assert.Contains("배송 완료", page.Find("[data-testid=history-header]").TextContent);
    }
}
