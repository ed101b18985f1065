using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.History;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// /admin/history: the days of positions PostgreSQL holds (one partition per UTC day) with their
/// size and estimated rows, the fixes waiting for a partition, the retention settings, and the
/// latest days retention dropped, with whether an archive holds them.
/// </summary>
public sealed partial class HistoryPage
{
    /// <summary>How many of the latest dropped days the page shows.</summary>
    internal const int DroppedLimit = 30;

    private static readonly string[] Units = ["KB", "MB", "GB", "TB", "PB"];

    private PositionHistory? _history;
    private bool _unreachable;
    private bool _busy;
    private bool _interactive;
    private bool _loaded;

    [Inject] private IPositionHistoryQueries Queries { get; set; } = null!;
    [Inject] private IStringLocalizer<HistoryText> L { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;
    [Inject] private IServiceProvider Services { get; set; } = null!;

    private HistoryArchive? _archive;

    /// <summary>The archive's section, where the archive's days can be read (always in the app; a page test may leave it out).</summary>
    private bool _archiveShown;

    /// <summary>Partitions are by UTC day: a day after this one was created ahead and is still empty.</summary>
    private DateOnly TodayUtc => DateOnly.FromDateTime(Clock.Now.UtcDateTime);

    protected override async Task OnInitializedAsync()
    {
        _archiveShown = Services.GetService(typeof(Sendy.Engine.History.Archive.IArchiveDays)) is not null;
        await LoadAsync();
        _loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true; // tests wait for this before they click: a prerendered button does nothing
        StateHasChanged();
    }

    private async Task RefreshAsync()
    {
        _busy = true;
        try
        {
            await LoadAsync();
            if (_archive is not null) await _archive.LoadAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>A database outage becomes a message on the page instead of a dead circuit; what was read before stays shown.</summary>
    private async Task LoadAsync()
    {
        try
        {
            _history = await Queries.GetAsync(DroppedLimit, Aborted);
            _unreachable = false;
        }
        catch (DbException)
        {
            _unreachable = true;
        }
    }

    private static IEnumerable<HeldDay> Held(PositionHistory history) => history.Held.OrderByDescending(d => d.Day);

    private static IEnumerable<DroppedDay> Dropped(PositionHistory history) => history.Dropped.OrderByDescending(d => d.Day);

    /// <summary>Bytes the way people read them: "512 B", "12.3 MB" (powers of 1024, as PostgreSQL's pg_size_pretty).</summary>
    internal static string SizeText(long bytes)
    {
        if (bytes < 1024) return bytes.ToString("N0", CultureInfo.CurrentCulture) + " B";
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.#", CultureInfo.CurrentCulture) + " " + Units[unit];
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    private string About(long rows) => L["About", Number(rows)];

    private string Days(TimeSpan span) => L["Days", span.TotalDays.ToString("0.#", CultureInfo.CurrentCulture)];

    /// <summary>The UTC day as its partition names it, the same in every language.</summary>
    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);
}
