using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.History;

namespace Sendy.Console.Tests.Admin;

/// <summary>
/// /admin/history with a fake history port: the days PostgreSQL holds newest first, the fixes
/// waiting for a partition, the archive that is not there, the days dropped, an outage.
/// </summary>
public sealed class HistoryPageTests : SendyBunitContext
{
    // 03:00 UTC is 12:00 in Seoul, the operations time zone; the UTC day is 2026-12-06.
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    private readonly FakePositionHistoryQueries _queries = new();

    public HistoryPageTests()
        : base(time: new FakeTimeProvider(Now)) =>
        Services.AddSingleton<IPositionHistoryQueries>(_queries);

    private static PositionHistory History(long unplaced = 0, params DroppedDay[] dropped) => new(
        // Out of order on purpose: the page sorts.
        [
            new HeldDay(new DateOnly(2026, 12, 5), "positions_20261205", 1_610_612_736, 4_321_000), // 1.5 GB
            new HeldDay(new DateOnly(2026, 12, 8), "positions_20261208", 8_192, 0), // created ahead, empty
            new HeldDay(new DateOnly(2026, 12, 6), "positions_20261206", 12_897_485, 1_234_567), // 12.3 MB
        ],
        unplaced, unplaced > 0 ? 49_152 : 8_192, dropped, TimeSpan.FromDays(180), 7, ArchiveEnabled: false);

    private IRenderedComponent<HistoryPage> Page()
    {
        var page = Render<HistoryPage>();
        page.WaitForElement("[data-testid=history-page][data-loaded=true]");
        return page;
    }

    private static string Text(IRenderedComponent<HistoryPage> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact]
    public void days_held_are_listed_newest_first_with_size_and_estimated_rows()
    {
        _queries.History = History();

        var page = Page();

        var rows = page.FindAll("[data-testid=held-days] tbody tr");
        Assert.Equal(["2026-12-08", "2026-12-06", "2026-12-05"], rows.Select(r => r.QuerySelector("[data-testid=held-day] span")!.TextContent.Trim()));
        Assert.Equal(["positions_20261208", "positions_20261206", "positions_20261205"],
            rows.Select(r => r.QuerySelector("[data-testid=held-partition]")!.TextContent.Trim()));
        Assert.Equal(["8 KB", "12.3 MB", "1.5 GB"], rows.Select(r => r.QuerySelector("[data-testid=held-size]")!.TextContent.Trim()));
        Assert.Equal(["about 0", "about 1,234,567", "about 4,321,000"], rows.Select(r => r.QuerySelector("[data-testid=held-rows]")!.TextContent.Trim()));
        // Only the day after today (UTC) is marked as made in advance.
        Assert.Equal([true, false, false], rows.Select(r => r.QuerySelector("[data-testid=day-ahead]") is not null));
        Assert.Contains("ANALYZE", Text(page, "rows-estimate"), StringComparison.Ordinal);

        Assert.Equal("3", Text(page, "total-days"));
        Assert.Equal("1.5 GB", Text(page, "total-size")); // 1.512 GB, one decimal
        Assert.Equal("about 5,555,567", Text(page, "total-rows"));
        Assert.Equal("Oldest day: 2026-12-05", Text(page, "oldest-day"));
        Assert.Equal("180 days", Text(page, "retention"));
        Assert.Equal("7 days ahead of today (UTC)", Text(page, "days-ahead"));
        Assert.Equal([HistoryPage.DroppedLimit], _queries.Limits);
    }

    [Fact]
    public void sizes_read_the_way_people_read_them()
    {
        Assert.Equal("0 B", HistoryPage.SizeText(0));
        Assert.Equal("1,023 B", HistoryPage.SizeText(1023));
        Assert.Equal("1 KB", HistoryPage.SizeText(1024));
        Assert.Equal("1.5 KB", HistoryPage.SizeText(1536));
        Assert.Equal("12.3 MB", HistoryPage.SizeText(12_897_485));
        Assert.Equal("2 TB", HistoryPage.SizeText(2L << 40));
    }

    [Fact]
    public void the_page_warns_that_old_days_are_dropped_without_an_archive()
    {
        _queries.History = History();

        var page = Page();

        var warning = page.Find("[data-testid=archive-off]");
        Assert.Contains("mud-alert-text-warning", warning.ClassName, StringComparison.Ordinal);
        Assert.Contains("The archive is off", warning.TextContent, StringComparison.Ordinal);
        Assert.Contains("older than the retention (180 days) are dropped from PostgreSQL without being archived", warning.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=archive-on]"));
    }

    [Fact]
    public void waiting_fixes_are_counted_and_highlighted()
    {
        _queries.History = History(unplaced: 1_250);

        var page = Page();

        var unplaced = page.Find("[data-testid=unplaced]");
        Assert.Equal("true", unplaced.GetAttribute("data-highlighted"));
        Assert.Contains("mud-alert-filled-warning", unplaced.ClassName, StringComparison.Ordinal);
        Assert.Equal("1250", page.Find("[data-testid=unplaced-count]").GetAttribute("data-count"));
        Assert.Equal("1,250 waiting (48 KB)", Text(page, "unplaced-count"));
        Assert.Contains("no partition yet", unplaced.TextContent, StringComparison.Ordinal);
        Assert.Contains("more than 7 days ahead", unplaced.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void no_waiting_fixes_is_not_highlighted()
    {
        _queries.History = History(unplaced: 0);

        var page = Page();

        var unplaced = page.Find("[data-testid=unplaced]");
        Assert.Equal("false", unplaced.GetAttribute("data-highlighted"));
        Assert.DoesNotContain("warning", unplaced.ClassName, StringComparison.Ordinal);
        Assert.Equal("0", page.Find("[data-testid=unplaced-count]").GetAttribute("data-count"));
        Assert.Equal("None waiting.", Text(page, "unplaced-count"));
    }

    [Fact]
    public void dropped_days_show_size_rows_when_in_operations_time_and_not_archived()
    {
        _queries.History = History(0,
            new DroppedDay(new DateOnly(2026, 6, 7), 681_574_400, 3_900_000, new DateTimeOffset(2026, 12, 5, 0, 15, 0, TimeSpan.Zero), Archived: false),
            new DroppedDay(new DateOnly(2026, 6, 8), 734_003_200, 4_200_000, new DateTimeOffset(2026, 12, 6, 0, 15, 0, TimeSpan.Zero), Archived: false));

        var page = Page();

        var rows = page.FindAll("[data-testid=dropped-days] tbody tr");
        Assert.Equal(["2026-06-08", "2026-06-07"], rows.Select(r => r.QuerySelector("[data-testid=dropped-day]")!.TextContent.Trim()));
        var latest = rows[0];
        Assert.Equal("700 MB", latest.QuerySelector("[data-testid=dropped-size]")!.TextContent.Trim());
        Assert.Equal("about 4,200,000", latest.QuerySelector("[data-testid=dropped-rows]")!.TextContent.Trim());
        // 00:15 UTC is 09:15 in Seoul (the AM/PM is left out: ICU puts a narrow space before it).
        Assert.StartsWith("12/6/2026 9:15", latest.QuerySelector("[data-testid=dropped-at]")!.TextContent.Trim(), StringComparison.Ordinal);
        var archived = latest.QuerySelector("[data-testid=dropped-archived]")!;
        Assert.Equal("false", archived.GetAttribute("data-archived"));
        Assert.Equal("No", archived.TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=no-dropped]"));
    }

    [Fact]
    public void says_so_when_nothing_was_dropped_yet()
    {
        _queries.History = History();

        var page = Page();

        Assert.Empty(page.FindAll("[data-testid=dropped-days]"));
        Assert.Equal("Retention has not dropped any day yet.", Text(page, "no-dropped"));
    }

    [Fact]
    public void the_page_reads_in_korean()
    {
        UseCulture("ko");
        _queries.History = History(unplaced: 3,
            new DroppedDay(new DateOnly(2026, 6, 8), 734_003_200, 4_200_000, new DateTimeOffset(2026, 12, 6, 0, 15, 0, TimeSpan.Zero), Archived: false));

        var page = Page();

        Assert.Equal("위치 이력 보관", page.Find("h1").TextContent.Trim());
        Assert.Contains("아카이브가 꺼져 있습니다", Text(page, "archive-off"), StringComparison.Ordinal);
        Assert.Contains("보관 기간(180일)이 지난 날짜는 어디에도 아카이브되지 않은 채", Text(page, "archive-off"), StringComparison.Ordinal);
        Assert.Equal("180일", Text(page, "retention"));
        Assert.Equal("3건 대기 중 (48 KB)", Text(page, "unplaced-count"));
        Assert.Equal("약 1,234,567건", page.FindAll("[data-testid=held-rows]")[1].TextContent.Trim());
        Assert.Equal("미리 생성됨", Text(page, "day-ahead"));
        Assert.Equal("아니요", Text(page, "dropped-archived"));
        Assert.Contains("ANALYZE", Text(page, "rows-estimate"), StringComparison.Ordinal);
    }

    [Fact]
    public void an_unreachable_database_is_said_on_the_page()
    {
        _queries.Fail = true;

        var page = Page();

        Assert.Equal("The database cannot be reached; try again in a moment.", Text(page, "history-unreachable"));
        Assert.Empty(page.FindAll("[data-testid=held-days]"));
        Assert.Empty(page.FindAll("[data-testid=archive-off]"));
    }

    [Fact]
    public async Task refreshing_after_an_outage_shows_the_history()
    {
        _queries.Fail = true;
        var page = Page();
        page.WaitForElement("[data-testid=history-page][data-interactive=true]");
        Assert.NotEmpty(page.FindAll("[data-testid=history-unreachable]"));

        _queries.Fail = false;
        _queries.History = History();
        await page.Find("[data-testid=refresh]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=held-days] tbody tr").Count));
        Assert.Empty(page.FindAll("[data-testid=history-unreachable]"));
    }

    /// <summary>Answers with <see cref="History"/>, or fails as Npgsql does when the server cannot be reached.</summary>
    private sealed class FakePositionHistoryQueries : IPositionHistoryQueries
    {
        public PositionHistory History { get; set; } = new([], 0, 0, [], TimeSpan.FromDays(180), 7, ArchiveEnabled: false);

        public bool Fail { get; set; }

        public List<int> Limits { get; } = [];

        public Task<PositionHistory> GetAsync(int droppedLimit, CancellationToken cancellationToken)
        {
            Limits.Add(droppedLimit);
            return Fail ? Task.FromException<PositionHistory>(new NpgsqlException("Failed to connect to 127.0.0.1:5432")) : Task.FromResult(History);
        }
    }
}
