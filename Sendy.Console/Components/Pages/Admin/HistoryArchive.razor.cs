using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.History.Archive;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// The archive's section of /admin/history: the days the archive knows (rows, objects, size, when
/// verified, until when the bucket keeps them), days failing with their error and next try, and a
/// restore for replay (queued as a job).
/// </summary>
public sealed partial class HistoryArchive
{
    /// <summary>How many of the latest archived days the section shows.</summary>
    internal const int Limit = 60;

    private ArchiveOverview? _overview;
    private bool _unreachable;
    private bool _busy;
    private bool _loaded;

    [Inject] private IArchiveDays Archive { get; set; } = null!;
    [Inject] private IStringLocalizer<ArchiveText> L { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        await LoadAsync();
        _loaded = true;
    }

    /// <summary>Reads the archive's days again (the page's refresh button).</summary>
    public async Task LoadAsync()
    {
        try
        {
            _overview = await Archive.GetAsync(Limit, Aborted);
            _unreachable = false;
        }
        catch (DbException)
        {
            _unreachable = true;
        }
        StateHasChanged();
    }

    private async Task RestoreAsync(DateOnly day)
    {
        _busy = true;
        try
        {
            await Archive.RequestRestoreAsync(day, Aborted);
            Snackbar.Add(L["RestoreQueued", DayText(day), Days(_overview!.RestoredFor)].Value, Severity.Success);
        }
        catch (ArchiveDayNotFoundException)
        {
            Snackbar.Add(L["RestoreRefused", DayText(day), L["NotVerified"]].Value, Severity.Error);
        }
        catch (InvalidOperationException ex)
        {
            Snackbar.Add(L["RestoreRefused", DayText(day), ex.Message].Value, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
        await LoadAsync();
    }

    private static string State(ArchivedDay day) => day.Verified ? "verified" : day.LastError is not null ? "failing" : "waiting";

    private static string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    private string Days(TimeSpan span) => L["Days", span.TotalDays.ToString("0.#", CultureInfo.CurrentCulture)];

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);
}
