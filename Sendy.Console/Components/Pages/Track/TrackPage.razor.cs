using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using MudBlazor;
using Sendy.Console.Map;
using System.Globalization;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>
/// The customer's live view of one delivery. Positions from the live feed move the marker through
/// JS interop and refresh only the "last updated" label; the page itself does not re-render.
/// </summary>
public sealed partial class TrackPage
{
    private TrackingView? _view;
    private bool _loaded;
    private bool _interactive;
    private TruckMap? _map;
    private LastUpdated? _lastUpdated;
    private IDisposable? _subscription;
    private IDisposable? _statusSubscription;
    private Guid? _statusDeliveryId;
    private string? _subscribedTruckId;
    private DateTimeOffset _latestTakenAt = DateTimeOffset.MinValue;
    private bool _disposed;

    [Parameter] public string Token { get; set; } = "";

    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _view = await Queries.FindByTrackingTokenAsync(Token, CancellationToken.None);
        _loaded = true;
        if (_subscribedTruckId is not null && _subscribedTruckId != _view?.TruckId)
        {
            // Navigated to another link: stop following the previous truck.
            _subscription?.Dispose();
            _subscription = null;
            _subscribedTruckId = null;
        }

        if (_view is null)
        {
            HttpContext.SetNotFoundKeepingBody();
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_view?.TruckId is not null && _subscribedTruckId != _view.TruckId)
        {
            _subscription?.Dispose();
            _subscribedTruckId = _view.TruckId;
            _latestTakenAt = DateTimeOffset.MinValue;
            _subscription = Feed.SubscribeTruck(_view.TruckId, OnPositionAsync);
            if (_view.LatestPosition is { } latest)
            {
                await ShowAsync(latest);
            }
        }

        if (_view is not null && _statusDeliveryId != _view.DeliveryId)
        {
            _statusSubscription?.Dispose();
            _statusDeliveryId = _view.DeliveryId;
            _statusSubscription = StatusFeed.Subscribe(_view.DeliveryId, OnStatusAsync);
            // A change committed between the first read and the subscription would be missed: read once more.
            if (await Queries.FindByTrackingTokenAsync(Token, CancellationToken.None) is { } fresh && fresh.DeliveryId == _view.DeliveryId
                && fresh.Timeline?.Count != _view.Timeline?.Count)
            {
                _view = _view with { Status = fresh.Status, Timeline = fresh.Timeline };
                StateHasChanged();
            }
        }

        if (firstRender)
        {
            // Browser tests wait for this: from here on the page is subscribed and live.
            _interactive = true;
            StateHasChanged();
        }
    }

    // Called by the feed on its own thread; never throws back into it.
    private async Task OnPositionAsync(TruckPosition position)
    {
        try
        {
            await InvokeAsync(() => ShowAsync(position));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PositionFailed(Logger, position.TruckId, ex);
        }
    }

    private async Task OnStatusAsync(DeliveryStatusChanged change)
    {
        if (change.Event is not { } e)
        {
            return;
        }

        try
        {
            await InvokeAsync(() =>
            {
                if (_disposed || _view is null || _view.DeliveryId != change.DeliveryId || _view.Timeline?.Any(x => x.Id == e.Id) == true)
                {
                    return;
                }

                var timeline = (_view.Timeline ?? []).Append(e).OrderBy(x => x.OccurredAt).ToList();
                _view = _view with { Status = timeline[^1].To.ToString(), Timeline = timeline };
                StateHasChanged();
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StatusFailed(Logger, change.DeliveryId, ex);
        }
    }

    private static readonly TimeZoneInfo Korea = TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Seoul", out var tz) ? tz : TimeZoneInfo.Utc;

    // Korean time: the deliveries are in Korea, whichever language the page is in.
    private static string LocalTime(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Korea).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    private async Task ShowAsync(TruckPosition position)
    {
        var takenAt = TakenAt(position);
        if (_disposed || position.TruckId != _subscribedTruckId || takenAt < _latestTakenAt)
        {
            return;
        }

        _latestTakenAt = takenAt;
        _lastUpdated?.SetTimestamp(takenAt);
        if (_map is not null)
        {
            await _map.SetTruckAsync(position.Latitude, position.Longitude, position.HeadingDegrees);
        }
    }

    // The device's clock may run ahead; never claim a fix is newer than when we received it.
    private static DateTimeOffset TakenAt(TruckPosition position) =>
        position.RecordedAt < position.ReceivedAt ? position.RecordedAt : position.ReceivedAt;

    private DateTimeOffset? InitialTimestamp => _view?.LatestPosition is { } p ? TakenAt(p) : null;

    private string StatusText(string status)
    {
        var text = L["Status_" + status];
        return text.ResourceNotFound ? status : text.Value;
    }

    private static string StatusChipClass(string status) => status switch
    {
        "Delivered" or "Arrived" => "mud-chip-color-success",
        "Delayed" => "mud-chip-color-warning",
        "Cancelled" or "Failed" => "mud-chip-color-error",
        "InTransit" or "Arriving" => "mud-chip-color-primary",
        _ => "",
    };

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _subscription?.Dispose();
        _subscription = null;
        _statusSubscription?.Dispose();
        _statusSubscription = null;
        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Showing a live position for truck {TruckId} failed")]
        public static partial void PositionFailed(ILogger logger, string truckId, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Showing a status change of delivery {DeliveryId} failed")]
        public static partial void StatusFailed(ILogger logger, Guid deliveryId, Exception exception);
    }
}
