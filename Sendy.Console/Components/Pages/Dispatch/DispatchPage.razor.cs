using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using MudBlazor;
using Sendy.Console.Components.Shared;
using Sendy.Console.Map;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// The dispatcher's map of every truck. Live positions are coalesced per truck and sent to the
/// map at most a few times a second in one interop call (<see cref="PositionThrottle"/>); the side
/// list's states and counts are recomputed on a timer from the in-memory <see cref="FleetBoard"/>,
/// never per position, and the list is virtualized.
/// </summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = Staff.StaffServiceCollectionExtensions.DispatcherPolicy)]
public sealed partial class DispatchPage
{
    // The delivery filter menu's values: every truck, trucks without a delivery, or a status's name.
    private const string AnyDelivery = "*";
    private const string NoDelivery = "";

    private FleetBoard _board = null!;
    private DispatchOptions _options = null!;
    private FleetMap? _map;
    private PositionThrottle? _throttle;
    private IDisposable? _subscription;
    private ITimer? _refreshTimer;
    private bool _loaded;
    private bool _loadFailed;
    private bool _interactive;
    private bool _unknownTruckSeen;
    private long _loadedAtTicks;
    private BoardTruck? _selected;
    private IReadOnlyList<TrailPoint>? _trail;
    private CancellationTokenSource? _trailLoad;
    private bool _disposed;
    private int _refreshQueued;

    [Inject] private IFleetQueries Fleet { get; set; } = null!;

    [Inject] private ILivePositionFeed Feed { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private IOptions<DispatchOptions> Options { get; set; } = null!;

    [Inject] private IStringLocalizer<DispatchText> L { get; set; } = null!;

    [Inject] private IStringLocalizer<StatusText> StatusNames { get; set; } = null!;

    [Inject] private ILogger<DispatchPage> Logger { get; set; } = null!;

    private string DeliveryValue => _board.Delivery switch
    {
        { Active: false } => AnyDelivery,
        { Status: { } status } => status.ToString(),
        _ => NoDelivery,
    };

    protected override async Task OnInitializedAsync()
    {
        _options = Options.Value;
        _board = new FleetBoard(_options);
        await LoadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        // Live only in the interactive render: a prerendered copy is thrown away.
        _throttle = new PositionThrottle(_options.MapFlushInterval, Time, batch => InvokeAsync(() => ShowBatchAsync(batch)));
        _throttle.FlushFailed += ex => Log.BatchFailed(Logger, ex);
        _subscription = Feed.SubscribeAll(OnPositions);
        _refreshTimer = Time.CreateTimer(_ => QueueRefresh(), null, _options.ListRefreshInterval, _options.ListRefreshInterval);
        // Browser tests wait for this: from here on the page is subscribed and live.
        _interactive = true;
        StateHasChanged();
    }

    // The feed's thread: only hands the batch to the throttle.
    private Task OnPositions(IReadOnlyList<TruckPosition> positions)
    {
        _throttle?.Offer(positions);
        return Task.CompletedTask;
    }

    private async Task LoadAsync()
    {
        try
        {
            _board.Load(await Fleet.ListTrucksAsync(Aborted));
            _loaded = true;
            _loadFailed = false;
            _unknownTruckSeen = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LoadFailed(Logger, ex);
            _loadFailed = true;
        }
        _loadedAtTicks = Time.GetTimestamp();
        _board.Refresh(Time.GetUtcNow());
        if (_selected is not null) _selected = _board.Find(_selected.Id);
    }

    /// <summary>The map exists: send it every truck that has a position.</summary>
    private async Task OnMapReadyAsync()
    {
        if (_map is null) return;
        var positions = _board.All.Select(t => t.Position).OfType<TruckPosition>().ToList();
        await _map.UpdateTrucksAsync(positions);
        await _map.FitTrucksAsync();
        if (_selected is not null) await _map.SelectTruckAsync(_selected.Id, zoom: true);
    }

    private async Task ShowBatchAsync(IReadOnlyList<TruckPosition> batch)
    {
        if (_disposed) return;
        var accepted = new List<TruckPosition>(batch.Count);
        foreach (var position in batch)
        {
            if (_board.Apply(position)) accepted.Add(position);
            else if (_board.Find(position.TruckId) is null) _unknownTruckSeen = true;
        }
        if (_map is { IsReady: true }) await _map.UpdateTrucksAsync(accepted);
    }

    // At most one refresh waits for the renderer: a busy circuit skips ticks rather than queueing them.
    private void QueueRefresh()
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 0)
            _ = InvokeAsync(RefreshAsync);
    }

    private async Task RefreshAsync()
    {
        Volatile.Write(ref _refreshQueued, 0);
        if (_disposed) return;
        // A truck the list does not know (added since the page loaded) brings a reload, at most every 30 s.
        var reloadDue = !_loaded || (_unknownTruckSeen && Time.GetElapsedTime(_loadedAtTicks) >= TimeSpan.FromSeconds(30));
        if (reloadDue)
        {
            await LoadAsync();
            if (_map is { IsReady: true })
                await _map.UpdateTrucksAsync(_board.All.Select(t => t.Position).OfType<TruckPosition>().ToList());
        }
        else
        {
            _board.Refresh(Time.GetUtcNow());
        }
        StateHasChanged();
    }

    private void SetFilter(FleetFilter filter)
    {
        _board.Filter = filter;
        _board.ApplyFilter();
    }

    private void SetSearch(string? text)
    {
        _board.Search = text ?? "";
        _board.ApplyFilter();
    }

    private void SetDelivery(string value)
    {
        _board.Delivery = value == NoDelivery ? DeliveryFilter.WithoutDelivery
            : Enum.TryParse<DeliveryStatus>(value, out var status) ? DeliveryFilter.In(status)
            : DeliveryFilter.Any;
        _board.ApplyFilter();
    }

    private Task OnTruckClickedAsync(string truckId) => SelectAsync(truckId, fromMap: true);

    /// <summary>Opens the truck's panel, highlights it and draws today's trail.</summary>
    private async Task SelectAsync(string truckId, bool fromMap)
    {
        if (_board.Find(truckId) is not { } truck) return;
        _selected = truck;
        _trail = null;
        if (_trailLoad is not null) await _trailLoad.CancelAsync();
        _trailLoad = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var cancel = _trailLoad.Token;
        if (_map is not null)
        {
            await _map.SelectTruckAsync(truckId, zoom: !fromMap);
            await _map.ShowTrailAsync(null, []);
        }

        IReadOnlyList<TrailPoint> trail;
        try
        {
            trail = await Fleet.GetTrailAsync(truckId, Clock.StartOfToday, _options.TrailMaxPoints, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Log.TrailFailed(Logger, truckId, ex);
            trail = [];
        }

        if (_selected?.Id != truckId || cancel.IsCancellationRequested) return;
        _trail = trail;
        if (_map is not null) await _map.ShowTrailAsync(truckId, trail);
    }

    private async Task CloseDetailsAsync()
    {
        _selected = null;
        _trail = null;
        if (_trailLoad is not null) await _trailLoad.CancelAsync();
        if (_map is not null)
        {
            await _map.SelectTruckAsync(null, zoom: false);
            await _map.ShowTrailAsync(null, []);
        }
    }

    internal string AgeText(DateTimeOffset? takenAt)
    {
        if (takenAt is not { } at) return L["NoFix"];
        var age = Time.GetUtcNow() - at;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 60 ? L["AgeSeconds", (int)age.TotalSeconds]
            : age.TotalMinutes < 60 ? L["AgeMinutes", (int)age.TotalMinutes]
            : age.TotalHours < 48 ? L["AgeHours", (int)age.TotalHours]
            : L["AgeDays", (int)age.TotalDays];
    }

    internal static string StateClass(TruckState state) => state switch
    {
        TruckState.Moving => "moving",
        TruckState.Stopped => "stopped",
        _ => "stale",
    };

    private static Color FilterColor(FleetFilter filter) => filter switch
    {
        FleetFilter.Moving => Color.Success,
        FleetFilter.Stopped => Color.Warning,
        FleetFilter.Stale => Color.Error,
        _ => Color.Primary,
    };

    protected override async ValueTask DisposeAsyncCore()
    {
        _disposed = true;
        _subscription?.Dispose();
        _throttle?.Dispose();
        if (_refreshTimer is not null) await _refreshTimer.DisposeAsync();
        _trailLoad?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Loading the fleet for the dispatcher map failed; retrying on the next refresh")]
        public static partial void LoadFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Loading the trail of truck {TruckId} failed")]
        public static partial void TrailFailed(ILogger logger, string truckId, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Sending live positions to the dispatcher map failed")]
        public static partial void BatchFailed(ILogger logger, Exception exception);
    }
}
