using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Operations;

namespace Sendy.Console.Tests.Operations;

public sealed class OperationsClockTests
{
    private static OperationsClock Clock(DateTimeOffset now, string zone = "Asia/Seoul") =>
        new(new FakeTimeProvider(now), Options.Create(new OperationsOptions { TimeZone = zone }));

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void today_turns_at_midnight_in_the_operations_zone_not_at_utc_midnight()
    {
        // 15:00 UTC on the 24th is 00:00 on the 25th in Seoul.
        var justBefore = Clock(Utc(11, 24, 14, 59));
        var atMidnight = Clock(Utc(11, 24, 15));

        Assert.Equal(new DateOnly(2026, 11, 24), justBefore.Today);
        Assert.Equal(Utc(11, 23, 15), justBefore.StartOfToday);
        Assert.Equal(new DateOnly(2026, 11, 25), atMidnight.Today);
        Assert.Equal(Utc(11, 24, 15), atMidnight.StartOfToday);
        Assert.Equal(TimeSpan.Zero, atMidnight.StartOfToday.Offset); // PostgreSQL takes UTC instants only
    }

    [Fact]
    public void a_date_range_is_whole_days_in_the_zone_with_the_last_day_included()
    {
        var clock = Clock(Utc(11, 24, 3));

        var (from, to) = clock.Days(new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 26));

        Assert.Equal((Utc(11, 24, 15), Utc(11, 26, 15)), (from, to));
    }

    [Fact]
    public void shows_the_zones_wall_clock_whatever_the_servers_zone()
    {
        var clock = Clock(Utc(11, 24, 3));

        var local = clock.ToLocal(Utc(11, 24, 15, 30));

        Assert.Equal(new DateTime(2026, 11, 25, 0, 30, 0), local.DateTime);
        Assert.Equal(Utc(11, 24, 15, 30), local);
        Assert.Equal("Asia/Seoul", clock.ZoneId);
    }

    [Fact]
    public void days_follow_daylight_saving_in_a_zone_that_has_it()
    {
        // New York springs forward on 2026-03-08: that day is 23 hours long and 02:30 does not exist.
        var clock = Clock(Utc(3, 8, 12), "America/New_York");

        var (from, to) = clock.Days(new DateOnly(2026, 3, 8), new DateOnly(2026, 3, 8));

        Assert.Equal((Utc(3, 8, 5), Utc(3, 9, 4)), (from, to));
        Assert.Equal(Utc(3, 8, 7, 30), clock.AtLocal(new DateTime(2026, 3, 8, 2, 30, 0)));
    }

    [Fact]
    public void the_deliveries_page_reads_and_enters_times_in_the_zone()
    {
        // 00:30 on the 25th in Seoul: a time without a date is for the 25th there, though UTC is still on the 24th.
        var times = new DeliveriesTimes(Clock(Utc(11, 24, 15, 30)));

        Assert.Equal(Utc(11, 25, 5, 30), times.ToInstant(null, new TimeSpan(14, 30, 0)));
        Assert.Equal(Utc(11, 26, 5, 30), times.ToInstant(new DateTime(2026, 11, 26), new TimeSpan(14, 30, 0)));
        Assert.Equal("11-25 14:30", times.Format(Utc(11, 25, 5, 30)));
        Assert.Equal(Utc(11, 24, 15), times.StartOfToday);
    }

    private static ServiceProvider Build(string? zone)
    {
        var settings = new Dictionary<string, string?>();
        if (zone is not null) settings["Sendy:TimeZone"] = zone;
        return new ServiceCollection().AddLogging()
            .AddSendyConsole(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
    }

    [Fact]
    public void the_zone_defaults_to_seoul_and_binds_from_sendy_time_zone()
    {
        using (var services = Build(null))
            Assert.Equal("Asia/Seoul", services.GetRequiredService<OperationsClock>().ZoneId);
        using (var services = Build("Europe/Berlin"))
            Assert.Equal("Europe/Berlin", services.GetRequiredService<OperationsClock>().Zone.Id);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData("Korea Standard Time")] // a Windows id: the browser's Intl would not know it
    public void an_unknown_zone_stops_the_start_with_a_message_naming_the_setting(string zone)
    {
        using var services = Build(zone);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"Sendy:TimeZone '{zone}' is not a known IANA time zone id", error.Message);
    }
}
