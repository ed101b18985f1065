using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Components.Pages.Track;
using Sendy.Console.Operations;

namespace Sendy.Console.Tests.Track;

public sealed class TrackClockTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 15, 30, 0, TimeSpan.Zero);

    private static TrackClock Clock(string zone) =>
        new(new OperationsClock(new FakeTimeProvider(Now), Options.Create(new OperationsOptions { TimeZone = zone })));

    [Fact]
    public void the_customer_page_shows_seoul_time_by_default()
    {
        var clock = Clock(OperationsOptions.DefaultTimeZone);

        // 05:30 UTC on the 25th is 14:30 that day in Seoul, where it is already the 25th (00:30).
        Assert.Equal("14:30", clock.Time(Now.AddHours(14), Now));
        Assert.Equal("11-25 00:30", clock.DateTime(Now));
    }

    [Fact]
    public void the_customer_page_follows_the_configured_zone()
    {
        var clock = Clock("Europe/Berlin");

        // In Berlin it is still the 24th (16:30): 05:30 UTC on the 25th is another day there.
        Assert.Equal("11-25 06:30", clock.Time(Now.AddHours(14), Now));
        Assert.Equal("11-24 16:30", clock.DateTime(Now));
    }
}
