using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using Sendy.Console.Components.Shared;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// The dispatcher's deliveries: open ones and those closed today, filtered by status and text.
/// Status changes from any node arrive through <see cref="IAllDeliveriesStatusFeed"/> and reload
/// just that row; a slow full reload picks up what the feed does not carry (reassignments).
/// </summary>
public sealed partial class DeliveriesPage
{
    internal const string OpenFilter = "open";
    internal const string AllFilter = "all";
    private const int MaxRows = 500;
    private static readonly TimeSpan FullReloadInterval = TimeSpan.FromSeconds(30);

    private List<DispatchDeliveryRow> _rows = [];
    private List<DispatchDeliveryRow> _visible = [];
    private string _filter = OpenFilter;
    private string _search = "";
    private bool _loaded;
    private bool _loadFailed;
    private bool _interactive;
    private bool _disposed;
    private IDisposable? _subscription;
    private ITimer? _reloadTimer;
    private DeliveriesClipboard _clipboard = null!;

    [Inject] private DispatchBoardQueries Board { get; set; } = null!;

    [Inject] private IAllDeliveriesStatusFeed Feed { get; set; } = null!;

    [Inject] private IDialogService Dialogs { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private IJSRuntime JS { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private IStringLocalizer<DeliveriesText> L { get; set; } = null!;

    [Inject] private IStringLocalizer<StatusText> StatusNames { get; set; } = null!;

    [Inject] private ILogger<DeliveriesPage> Logger { get; set; } = null!;

    /// <summary>A delivery to highlight (linked from the dispatcher map's truck panel).</summary>
    [SupplyParameterFromQuery(Name = "delivery")] public Guid? Highlight { get; set; }

    private DeliveriesTimes Times { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        Times = new DeliveriesTimes(Clock);
        _clipboard = new DeliveriesClipboard(JS);
        await LoadAsync();
        // A linked delivery may be closed: show everything so it is in the list.
        if (Highlight is { } id && _rows.Any(r => r.Id == id && r.IsClosed)) SetFilter(AllFilter);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        // Live only in the interactive render. Subscribe first, then read again, so no change falls between.
        _subscription = Feed.SubscribeAll(OnStatusChangedAsync);
        _reloadTimer = Time.CreateTimer(_ => _ = InvokeAsync(ReloadAsync), null, FullReloadInterval, FullReloadInterval);
        await LoadAsync();
        // Browser tests wait for this: from here on the page is subscribed and live.
        _interactive = true;
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        try
        {
            _rows = (await Board.ListAsync(Times.StartOfToday, MaxRows, Aborted)).ToList();
            _loaded = true;
            _loadFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LoadFailed(Logger, ex);
            _loadFailed = true;
        }
        ApplyFilter();
    }

    private async Task ReloadAsync()
    {
        if (_disposed) return;
        await LoadAsync();
        StateHasChanged();
    }

    // The feed's thread: hop onto the circuit, then read the one row again.
    private async Task OnStatusChangedAsync(DeliveryStatusChanged change)
    {
        if (change.Event is null) return; // a geofence hint, not a status change
        try
        {
            await InvokeAsync(() => RefreshRowAsync(change.DeliveryId));
        }
        catch (ObjectDisposedException)
        {
            // The circuit ended between the change and the hop onto it.
        }
        catch (OperationCanceledException) when (Aborted.IsCancellationRequested)
        {
            // The page went away while it read the row: nothing for the feed to log.
        }
    }

    private async Task RefreshRowAsync(Guid id)
    {
        if (_disposed) return;
        DispatchDeliveryRow? row;
        try
        {
            row = await Board.GetAsync(id, Aborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The periodic reload catches up.
            Log.RowFailed(Logger, id, ex);
            return;
        }
        var index = _rows.FindIndex(r => r.Id == id);
        if (row is null)
        {
            if (index >= 0) _rows.RemoveAt(index);
        }
        else if (index >= 0)
        {
            _rows[index] = row;
        }
        else
        {
            _rows.Insert(0, row);
        }
        ApplyFilter();
        StateHasChanged();
    }

    private void SetFilter(string value)
    {
        _filter = value;
        ApplyFilter();
    }

    private void SetSearch(string? text)
    {
        _search = text?.Trim() ?? "";
        ApplyFilter();
    }

    private void ApplyFilter() => _visible = _rows.Where(MatchesStatus).Where(MatchesSearch).ToList();

    private bool MatchesStatus(DispatchDeliveryRow row) => _filter switch
    {
        OpenFilter => !row.IsClosed,
        AllFilter => true,
        _ => row.Status.ToString() == _filter,
    };

    private bool MatchesSearch(DispatchDeliveryRow row) => _search.Length == 0
        || new[] { row.CustomerName, row.CustomerEmail, row.CustomerPhone, row.PickupAddress, row.DropoffAddress, row.TruckId, row.TruckName, row.TruckPlate, row.DriverName }
            .Any(text => text?.Contains(_search, StringComparison.CurrentCultureIgnoreCase) == true);

    private async Task NewAsync()
    {
        var dialog = await Dialogs.ShowAsync<DeliveriesNewDialog>(L["Dialog_NewTitle"], DialogOptions(MaxWidth.Large));
        var result = await dialog.Result;
        if (result is not { Canceled: false, Data: DeliveriesNewDialog.Outcome booked }) return;
        await RefreshRowAsync(booked.Id);
        if (booked.AssignNext && _rows.FirstOrDefault(r => r.Id == booked.Id) is { } row) await AssignAsync(row);
    }

    private async Task AssignAsync(DispatchDeliveryRow row)
    {
        var parameters = new DialogParameters<DeliveriesAssignDialog> { { d => d.Delivery, row } };
        var dialog = await Dialogs.ShowAsync<DeliveriesAssignDialog>(L["Dialog_AssignTitle"], parameters, DialogOptions(MaxWidth.Small));
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: DriverChoice driver })
            Snackbar.Add(L["AssignedTo", driver.DriverName, driver.TruckName].Value, Severity.Success);
        await RefreshRowAsync(row.Id);
    }

    private async Task CancelAsync(DispatchDeliveryRow row)
    {
        var parameters = new DialogParameters<DeliveriesCancelDialog> { { d => d.Delivery, row } };
        var dialog = await Dialogs.ShowAsync<DeliveriesCancelDialog>(L["Dialog_CancelTitle"], parameters, DialogOptions(MaxWidth.Small));
        var result = await dialog.Result;
        if (result is { Canceled: false }) Snackbar.Add(L["Cancelled"].Value, Severity.Info);
        await RefreshRowAsync(row.Id);
    }

    /// <summary>Straight to the clipboard when the browser allows it; otherwise a dialog with the link selected.</summary>
    private async Task CopyLinkAsync(DispatchDeliveryRow row)
    {
        Uri? link;
        try
        {
            link = await Board.TrackingLinkAsync(row.Id, Aborted);
        }
        catch (TrackingLinkUnavailableException)
        {
            Snackbar.Add(L["LinkUnreadable"].Value, Severity.Error);
            return;
        }
        if (link is null)
        {
            Snackbar.Add(L["NotFound"].Value, Severity.Warning);
            return;
        }
        if (await _clipboard.CopyAsync(link.ToString()))
        {
            Snackbar.Add(L["LinkCopied"].Value, Severity.Success);
            return;
        }
        var parameters = new DialogParameters<DeliveriesLinkDialog> { { d => d.Link, link.ToString() }, { d => d.SelectOnOpen, true } };
        await Dialogs.ShowAsync<DeliveriesLinkDialog>(L["LinkTitle"], parameters, DialogOptions(MaxWidth.Small));
    }

    private async Task LinksAsync(DispatchDeliveryRow row)
    {
        var parameters = new DialogParameters<DeliveriesLinksDialog> { { d => d.DeliveryId, row.Id } };
        await Dialogs.ShowAsync<DeliveriesLinksDialog>(L["ManageLinks"] + " · " + row.CustomerName, parameters, DialogOptions(MaxWidth.Small));
    }

    private static DialogOptions DialogOptions(MaxWidth width) => new() { MaxWidth = width, FullWidth = true, CloseButton = true, BackdropClick = false };

    private string ClosedWhy(DispatchDeliveryRow row) => L["ClosedWhy", StatusNames.Text(row.Status)];

    private string RowClass(DispatchDeliveryRow row, int index) =>
        (row.Id == Highlight ? "deliveries-highlight " : "") + (row.IsClosed ? "deliveries-closed" : "");

    // Booking copies the plan into the estimate; only an estimate that moved away from the plan says something new.
    /// <summary>The server's estimate while the truck carries the goods (Estimated or Arriving); "–" otherwise.</summary>
    private static bool HasEta(DispatchDeliveryRow row) =>
        !row.IsClosed && row.EtaKind is Sendy.Engine.Tracking.EtaKind.Estimated or Sendy.Engine.Tracking.EtaKind.Arriving;

    private string Eta(DispatchDeliveryRow row) => HasEta(row) ? Times.Format(row.EstimatedArrivalAt) : "–";

    private static string EtaClass(DispatchDeliveryRow row) =>
        "deliveries-time" + (HasEta(row) && row.EstimatedArrivalAt > row.PromisedTo?.AddMinutes(5) ? " deliveries-late" : "");

    /// <summary>The promised window, "12-07 09:00–11:00", or its end alone ("by").</summary>
    private string Window(DispatchDeliveryRow row) =>
        row.PromisedFrom is { } from && row.PromisedTo is { } to
            ? Times.Format(from) + "–" + (Times.Format(from)[..5] == Times.Format(to)[..5] ? Times.Format(to)[6..] : Times.Format(to))
            : Times.Format(row.PromisedTo);

    protected override async ValueTask DisposeAsyncCore()
    {
        _disposed = true;
        _subscription?.Dispose();
        if (_reloadTimer is not null) await _reloadTimer.DisposeAsync();
        if (_clipboard is not null) await _clipboard.DisposeAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Loading the deliveries list failed; retrying on the next reload")]
        public static partial void LoadFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Refreshing delivery {DeliveryId} in the list failed")]
        public static partial void RowFailed(ILogger logger, Guid deliveryId, Exception exception);
    }
}
