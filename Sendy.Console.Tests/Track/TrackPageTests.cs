using Bunit;
using Sendy.Console.Components.Pages.Track;
using Sendy.Console.Tests.Fakes;

namespace Sendy.Console.Tests.Track;

public sealed class TrackPageTests : TrackPageContext
{
    [Fact]
    public void known_token_shows_truck_plate_driver_and_status()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));

        Assert.Equal("Hyundai Xcient #17", page.Find("[data-testid=truck-name]").TextContent);
        Assert.Contains("서울 12가 3456", page.Find("[data-testid=truck-plate]").TextContent);
        Assert.Contains("Minji", page.Find("[data-testid=driver-name]").TextContent);
        Assert.Contains("In transit", page.Find("[data-testid=status-chip]").TextContent);
        Assert.Contains("ACME Logistics", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=link-not-found]"));
    }

    [Fact]
    public void unknown_token_shows_link_not_found_without_map()
    {
        var page = Render<TrackPage>(p => p.Add(x => x.Token, "no-such-token"));

        var notFound = page.Find("[data-testid=link-not-found]");
        Assert.Contains("Link not found", notFound.TextContent);
        Assert.Empty(page.FindAll("[data-testid=truck-map]"));
        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
    }

    [Fact]
    public void without_a_position_it_waits_for_the_first_one()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));

        Assert.Contains("Waiting for the first position", page.Find("[data-testid=last-updated]").TextContent);
        Assert.Empty(MapModule.Invocations["setTruck"]);
    }

    [Fact]
    public void latest_known_position_is_drawn_on_first_render()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery(TestData.Position(37.5, 127.0, Start.AddSeconds(-4), heading: 90));

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));

        page.WaitForAssertion(() => AssertSetTruck(MapModule.Invocations["setTruck"].Last(), 37.5, 127.0, 90));
        Assert.Contains("Last updated 4 s ago", page.Find("[data-testid=last-updated]").TextContent);
    }

    [Fact]
    public async Task published_position_moves_marker_and_updates_last_updated()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));

        await Feed.PublishAsync(TestData.Position(35.1796, 129.0756, Start.AddSeconds(-2), heading: 45));

        page.WaitForAssertion(() => AssertSetTruck(MapModule.Invocations["setTruck"].Last(), 35.1796, 129.0756, 45));
        page.WaitForAssertion(() =>
            Assert.Contains("Last updated 2 s ago", page.Find("[data-testid=last-updated]").TextContent));
    }

    [Fact]
    public async Task older_position_does_not_move_marker_back()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery(TestData.Position(37.5, 127.0, Start));
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));

        await Feed.PublishAsync(TestData.Position(36.0, 128.0, Start.AddMinutes(-5)));

        Assert.Single(MapModule.Invocations["setTruck"]);
    }

    [Fact]
    public void last_updated_ticks_with_the_clock()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery(TestData.Position(37.5, 127.0, Start));
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        Assert.Contains("Last updated 0 s ago", page.Find("[data-testid=last-updated]").TextContent);

        Time.Advance(TimeSpan.FromSeconds(7));
        page.WaitForAssertion(() =>
            Assert.Contains("Last updated 7 s ago", page.Find("[data-testid=last-updated]").TextContent));

        Time.Advance(TimeSpan.FromMinutes(3));
        page.WaitForAssertion(() =>
            Assert.Contains("Last updated 3 min ago", page.Find("[data-testid=last-updated]").TextContent));
    }

    [Fact]
    public async Task disposing_the_page_ends_the_subscription()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
        Assert.NotEmpty(MapModule.Invocations["disposeMap"]);
    }

    [Fact]
    public void switching_to_an_unknown_link_stops_following_the_truck()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        page.WaitForAssertion(() => Assert.Equal(1, Feed.ActiveTruckSubscriptions(TestData.TruckId)));

        page.Render(p => p.Add(x => x.Token, "no-such-token"));

        Assert.Equal(0, Feed.ActiveTruckSubscriptions(TestData.TruckId));
        Assert.NotNull(page.Find("[data-testid=link-not-found]"));
    }

    [Fact]
    public void page_marks_itself_interactive_after_first_render()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery();

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));

        page.WaitForAssertion(() => Assert.Equal("true", page.Find(".track-root").GetAttribute("data-interactive")));
    }

    private static void AssertSetTruck(JSRuntimeInvocation call, double lat, double lon, double? heading)
    {
        // Whole microdegrees and degrees (see TruckMap.Micro).
        Assert.Equal(lat, (int)call.Arguments[1]! / 1e6);
        Assert.Equal(lon, (int)call.Arguments[2]! / 1e6);
        Assert.Equal(heading, (double?)(int?)call.Arguments[3]);
    }
}

public sealed class TrackPageKoreanTests() : TrackPageContext("ko")
{
    [Fact]
    public void korean_request_gets_korean_text()
    {
        Queries.Deliveries[TestData.TrackingToken] = TestData.Delivery(TestData.Position(37.5, 127.0, Start.AddSeconds(-3)));

        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));

        Assert.Contains("배송 중", page.Find("[data-testid=status-chip]").TextContent);
        Assert.Contains("3초 전 업데이트", page.Find("[data-testid=last-updated]").TextContent);
    }

    [Fact]
    public void korean_unknown_token_page()
    {
        var page = Render<TrackPage>(p => p.Add(x => x.Token, "nope"));

        Assert.Contains("링크를 찾을 수 없습니다", page.Find("[data-testid=link-not-found]").TextContent);
    }
}
