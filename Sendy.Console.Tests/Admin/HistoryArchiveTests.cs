using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using Npgsql;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.History.Archive;

namespace Sendy.Console.Tests.Admin;

/// <summary>
/// The archive's section of /admin/history with a fake port: verified days with rows, objects,
/// size and expiry, a failing day with its error and next try, a restore asked for (and refused
/// when the archive is not verified), the archive off, an outage.
/// </summary>
public sealed class HistoryArchiveTests : SendyBunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);
    private readonly FakeArchiveDays _archive = new();

    public HistoryArchiveTests()
        : base(time: new FakeTimeProvider(Now)) =>
        Services.AddSingleton<IArchiveDays>(_archive);

    private static ArchivedDay Verified(DateOnly day, long rows) =>
        new(day, rows, 3, 25_165_824, Now.AddHours(-20), 0, null, null, null, null, null, null, day.AddDays(365));

    private static ArchiveOverview Overview(bool enabled, params ArchivedDay[] days) =>
        new(enabled, "sendy-archive", "positions", TimeSpan.FromDays(365), TimeSpan.FromDays(7), days,
            days.Count(d => !d.Verified && d.LastError is not null));

    private IRenderedComponent<HistoryArchive> Section()
    {
        var section = Render<HistoryArchive>();
        section.WaitForElement("[data-testid=archive][data-loaded=true]");
        return section;
    }

    [Fact]
    public void verified_and_failing_days_are_shown_with_what_an_admin_needs_to_act()
    {
        _archive.Overview = Overview(true,
            Verified(new DateOnly(2026, 12, 4), 86_000_000),
            new ArchivedDay(new DateOnly(2026, 12, 5), null, null, null, null, 3, "S3 bucket sendy-archive: writing positions/date=2026-12-05/part-0000.parquet failed: connection refused",
                Now.AddMinutes(-2), Now.AddMinutes(5), null, null, null, new DateOnly(2027, 12, 5)));

        var section = Section();

        Assert.Contains("s3://sendy-archive/positions/", section.Find("[data-testid=archive-intro]").TextContent);
        Assert.Contains("365 days", section.Find("[data-testid=archive-intro]").TextContent);
        Assert.Contains("1 day(s) could not be archived", section.Find("[data-testid=archive-failing]").TextContent);
        var rows = section.FindAll("[data-testid=archive-days] tbody tr");
        Assert.Equal(["2026-12-04", "2026-12-05"], rows.Select(r => r.QuerySelector("[data-testid=archive-day]")!.TextContent.Trim()));
        Assert.Equal("86,000,000", rows[0].QuerySelector("[data-testid=archive-rows]")!.TextContent.Trim());
        Assert.Equal("24 MB", rows[0].QuerySelector("[data-testid=archive-size]")!.TextContent.Trim());
        Assert.Equal("2027-12-04", rows[0].QuerySelector("[data-testid=archive-expires]")!.TextContent.Trim());
        Assert.Equal(["verified", "failing"], rows.Select(r => r.QuerySelector("[data-testid=archive-state]")!.GetAttribute("data-state")));
        Assert.Contains("connection refused", rows[1].QuerySelector("[data-testid=archive-error]")!.TextContent);
        Assert.Contains("attempt 3", rows[1].TextContent);
        // Only a verified day can come back.
        Assert.NotNull(rows[0].QuerySelector("[data-testid=archive-restore]"));
        Assert.Null(rows[1].QuerySelector("[data-testid=archive-restore]"));
    }

    [Fact]
    public void a_restore_is_queued_and_said_and_a_refusal_is_said_too()
    {
        _archive.Overview = Overview(true, Verified(new DateOnly(2026, 12, 4), 1_000), Verified(new DateOnly(2026, 12, 3), 2_000));
        var snackbar = Services.GetRequiredService<ISnackbar>();
        var section = Section();

        section.FindAll("[data-testid=archive-restore]")[0].Click();
        section.WaitForAssertion(() => Assert.Equal([new DateOnly(2026, 12, 4)], _archive.Restores));
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message!.Contains("Restore of 2026-12-04 queued") && s.Message!.Contains("7 days"));

        _archive.Refuse = true;
        section.FindAll("[data-testid=archive-restore]")[1].Click();
        section.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message!.Contains("2026-12-03 cannot be restored")));
    }

    [Fact]
    public void with_the_archive_off_its_past_days_are_listed_without_a_restore_and_an_outage_is_said()
    {
        _archive.Overview = Overview(false, Verified(new DateOnly(2026, 12, 4), 1_000));
        var section = Section();
        Assert.Contains("Sendy:Archive:Enabled", section.Find("[data-testid=archive-disabled]").TextContent);
        Assert.Empty(section.FindAll("[data-testid=archive-restore]"));

        _archive.Fail = true;
        var failed = Section();
        Assert.NotNull(failed.Find("[data-testid=archive-unreachable]"));
    }

    private sealed class FakeArchiveDays : IArchiveDays
    {
        public ArchiveOverview Overview { get; set; } = new(false, null, "positions", TimeSpan.FromDays(365), TimeSpan.FromDays(7), [], 0);
        public bool Fail { get; set; }
        public bool Refuse { get; set; }
        public List<DateOnly> Restores { get; } = [];

        public Task<ArchiveOverview> GetAsync(int limit, CancellationToken cancellationToken) =>
            Fail ? Task.FromException<ArchiveOverview>(new NpgsqlException("Failed to connect")) : Task.FromResult(Overview);

        public Task RequestRestoreAsync(DateOnly day, CancellationToken cancellationToken)
        {
            if (Refuse) throw new ArchiveDayNotFoundException(day);
            Restores.Add(day);
            return Task.CompletedTask;
        }
    }
}
