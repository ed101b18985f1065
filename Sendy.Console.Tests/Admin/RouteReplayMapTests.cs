using Bunit;
using Sendy.Console.Map;
using static Sendy.Console.Tests.Admin.AdminLogSamples;

namespace Sendy.Console.Tests.Admin;

/// <summary>The replay controls' state; the animation itself runs in the browser (see the browser test).</summary>
public sealed class RouteReplayMapTests : AdminPageContext
{
    private IRenderedComponent<RouteReplayMap> RenderReplay()
    {
        var map = Render<RouteReplayMap>(p => p.Add(x => x.Route, Route(4, 4)).Add(x => x.Pickup, new MapPoint(37.46, 126.45)));
        map.WaitForAssertion(() => Assert.Null(map.Find("[data-testid=replay-toggle]").GetAttribute("disabled")));
        return map;
    }

    private static string Playing(IRenderedComponent<RouteReplayMap> map) => map.Find("[data-testid=replay-toggle]").GetAttribute("data-playing")!;

    [Fact]
    public void sends_the_route_once_as_compact_rows()
    {
        RenderReplay();

        var create = Assert.Single(ReplayModule.Invocations["createReplay"]);
        var rows = (object?[][])create.Arguments[2]!;
        Assert.Equal(4, rows.Length);
        Assert.Equal([37.0, 127.0, Day.AddMinutes(65).ToUnixTimeMilliseconds(), null], rows[0]);
        Assert.Equal(45.0, rows[1][3]);
    }

    [Fact]
    public void play_pause_toggles_and_tells_the_browser()
    {
        var map = RenderReplay();
        Assert.Equal("false", Playing(map));

        map.Find("[data-testid=replay-toggle]").Click();
        Assert.Equal("true", Playing(map));
        Assert.Equal("Pause replay", map.Find("[data-testid=replay-toggle]").GetAttribute("aria-label"));
        Assert.Equal(60, Assert.Single(ReplayModule.Invocations["play"]).Arguments[1]);

        map.Find("[data-testid=replay-toggle]").Click();
        Assert.Equal("false", Playing(map));
        Assert.Single(ReplayModule.Invocations["pause"]);
    }

    [Fact]
    public void changing_speed_goes_to_the_browser_and_is_used_for_the_next_play()
    {
        var map = RenderReplay();

        map.FindAll(".route-replay-speeds .mud-toggle-item")[1].Click();

        Assert.Equal(10, Assert.Single(ReplayModule.Invocations["setSpeed"]).Arguments[1]);
        map.Find("[data-testid=replay-toggle]").Click();
        Assert.Equal(10, ReplayModule.Invocations["play"][^1].Arguments[1]);
    }

    [Fact]
    public void after_the_end_play_starts_again_from_the_beginning()
    {
        var map = RenderReplay();
        map.Find("[data-testid=replay-toggle]").Click();

        map.InvokeAsync(() => map.Instance.ReplayEnded());
        Assert.Equal("false", Playing(map));
        Assert.Empty(ReplayModule.Invocations["seek"]);

        map.Find("[data-testid=replay-toggle]").Click();
        Assert.Equal(2, ReplayModule.Invocations["play"].Count);
        Assert.Equal(0.0, ReplayModule.Invocations["seek"][0].Arguments[1]);
        Assert.Equal("true", Playing(map));
    }

    [Fact]
    public void after_the_viewer_drags_back_from_the_end_play_continues_from_there()
    {
        var map = RenderReplay();
        map.InvokeAsync(() => map.Instance.ReplayEnded());
        map.InvokeAsync(() => map.Instance.ReplaySought(atEnd: false));

        map.Find("[data-testid=replay-toggle]").Click();

        Assert.Empty(ReplayModule.Invocations["seek"]);
        Assert.Single(ReplayModule.Invocations["play"]);
    }
}
