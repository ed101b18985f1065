using Microsoft.AspNetCore.Components;
using MudBlazor;
using Sendy.Console.Components.Shared;
using Sendy.Console.Map;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>
/// The customer's live view of one delivery, the interactive island of the static
/// <see cref="TrackPage"/>. It renders when the status changes; positions from the live feed go to
/// the map through JS interop (marker and trail) and to <see cref="LiveStatus"/> (ETA, "last
/// updated"), never re-rendering it.
/// </summary>
public sealed partial class TrackLive
{
    /// <summary>The trail is loaded once, simplified in the database to this many points (stops kept), then extended in the browser.</summary>
    internal const int MaxTrailPoints = 2_000;

    private TrackingView? _view;
    private TrackingLinkState _link;
    private TrackPhase _phase;
    private bool _loaded;
    private bool _interactive;
    private TruckMap? _map;
    private LiveStatus? _live;
    private IDisposable? _subscription;
    private IDisposable? _statusSubscription;
    private Guid? _statusDeliveryId;
    private string? _subscribedTruckId;
    private (Guid Delivery, TrackPhase Phase, string? TruckId)? _mapShows;
    private DateTimeOffset _latestTakenAt = DateTimeOffset.MinValue;
    private bool _disposed;
    private TrackClock _clock = null!;

    /// <summary>The only parameter: it crosses into the circuit, so it stays a plain string.</summary>
    [Parameter] public string Token { get; set; } = "";

    private bool MapShown => _view is not null && _phase.ShowsMap();

    protected override void OnInitialized() => _clock = new TrackClock(Operations);

    protected override async Task OnParametersSetAsync()
    {
        var lookup = await Queries.FindByTrackingTokenAsync(Token, Aborted);
        _link = lookup.State;
        SetView(lookup.View);
        _loaded = true;

        // Navigated to another link, or this one closed: stop following the truck at once.
        if (_subscribedTruckId is not null && _subscribedTruckId != FollowedTruckId)
        {
            Unfollow();
        }
    }

    private void SetView(TrackingView? view)
    {
        _phase = view is null ? default : TrackPhases.Of(view.Status);
        // A closed delivery's truck is not shown, even if a stale position came with it.
        _view = view is not null && !_phase.ShowsMap() ? view with { LatestPosition = null } : view;
    }

    private string? FollowedTruckId => MapShown ? _view!.TruckId : null;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The first render can come before the delivery is read (the read is asynchronous): nothing
        // to follow yet, and the page is not live.
        if (!_loaded)
        {
            return;
        }

        if (_view is not null)
        {
            await FollowAsync();
            await SubscribeStatusAsync();
        }

        if (!_interactive)
        {
            // Browser tests wait for this: from here on the page is subscribed and live.
            _interactive = true;
            StateHasChanged();
        }
    }

    private async Task FollowAsync()
    {
        var truckId = FollowedTruckId;
        if (_subscribedTruckId != truckId)
        {
            Unfollow();
            _subscribedTruckId = truckId;
            if (truckId is not null)
            {
                _subscription = Feed.SubscribeTruck(truckId, OnPositionAsync);
                await CatchUpAsync(truckId);
            }
        }

        if (!MapShown || _map is null || _mapShows == (_view!.DeliveryId, _phase, _view.TruckId))
        {
            return;
        }

        // A new delivery, or a reassignment: another truck's marker, trail (from its assignment on) and speed.
        var firstTime = _mapShows?.Delivery != _view.DeliveryId;
        var newTruck = firstTime || _mapShows?.TruckId != _view.TruckId;
        _mapShows = (_view.DeliveryId, _phase, _view.TruckId);
        var view = _view;
        if (newTruck && !firstTime)
        {
            await _map.ClearTruckAsync();
        }

        await _map.SetPlacesAsync(Places(view));
        await _map.SetFocusAsync(Target(view) is { } target ? new MapPoint(target.Latitude, target.Longitude) : null);
        if (_phase == TrackPhase.OnTheWay)
        {
            // Since pickup (or the truck's assignment, if later) only: the trail never shows where
            // the truck was before it had the goods.
            var trail = await Queries.GetTrailSincePickupAsync(view.DeliveryId, MaxTrailPoints, Aborted);
            await _map.SetTrailAsync(trail.Select(p => new MapPoint(p.Latitude, p.Longitude)).ToList());
        }
        else
        {
            await _map.SetTrailAsync(null);
        }

        if (newTruck && truckId is not null)
        {
            if (EtaDestination is not null && _live is not null)
            {
                var recent = await Queries.GetRecentFixesAsync(view.DeliveryId, EtaSettings.Default.SpeedWindow, Aborted);
                if (firstTime)
                {
                    _live.Seed(recent);
                }
                else
                {
                    _live.Restart(recent);
                }
            }

            if (view.LatestPosition is { } latest)
            {
                await ShowAsync(latest);
            }
        }
    }

    /// <summary>
    /// A fix published between the page's read and the subscription reached neither (the feed has
    /// no memory): the truck's latest position is read once more now that the feed is listening.
    /// The feed and this read may both bring it; <see cref="ShowAsync"/> shows it once.
    /// </summary>
    private async Task CatchUpAsync(string truckId)
    {
        var fresh = await Queries.FindByTrackingTokenAsync(Token, Aborted);
        if (_view is { } view && fresh.View is { LatestPosition: { } latest } v
            && v.DeliveryId == view.DeliveryId && v.TruckId == truckId
            && (view.LatestPosition is null || TrackClock.TakenAt(latest) > TrackClock.TakenAt(view.LatestPosition)))
        {
            _view = view with { LatestPosition = latest };
        }
    }

    private async Task SubscribeStatusAsync()
    {
        if (_statusDeliveryId == _view!.DeliveryId)
        {
            return;
        }

        _statusSubscription?.Dispose();
        _statusDeliveryId = _view.DeliveryId;
        _statusSubscription = StatusFeed.Subscribe(_view.DeliveryId, OnStatusAsync);
        // A change committed between the first read and the subscription would be missed: read once more.
        var fresh = await Queries.FindByTrackingTokenAsync(Token, Aborted);
        if (fresh.View is { } view && view.DeliveryId == _view.DeliveryId && view.Timeline?.Count != _view.Timeline?.Count)
        {
            SetView(view);
            StateHasChanged();
        }
    }

    /// <summary>
    /// The delivery's links were revoked, extended or reissued: if this page's link no longer works,
    /// it stops following the truck and says so at once (revoking always wins).
    /// </summary>
    private async Task RecheckLinkAsync()
    {
        try
        {
            var lookup = await Queries.FindByTrackingTokenAsync(Token, Aborted);
            if (lookup.State == TrackingLinkState.Active) return;
            await InvokeAsync(() =>
            {
                if (_disposed) return;
                _link = lookup.State;
                Unfollow();
                _statusSubscription?.Dispose();
                _statusSubscription = null;
                _statusDeliveryId = null;
                SetView(null);
                StateHasChanged();
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LinkRecheckFailed(Logger, ex);
        }
    }

    private void Unfollow()
    {
        _subscription?.Dispose();
        _subscription = null;
        _subscribedTruckId = null;
        _latestTakenAt = DateTimeOffset.MinValue;
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
        if (change.LinkChanged)
        {
            await RecheckLinkAsync();
            return;
        }

        if (change.Event is not { } e)
        {
            return;
        }

        try
        {
            // Re-read: a status change can bring a truck and driver (assigned) or close the delivery.
            var fresh = await Queries.FindByTrackingTokenAsync(Token, Aborted);
            await InvokeAsync(() =>
            {
                if (_disposed || _view is null || _view.DeliveryId != change.DeliveryId)
                {
                    return;
                }

                var view = fresh.View is { } v && v.DeliveryId == _view.DeliveryId ? v : _view;
                var timeline = view.Timeline ?? [];
                if (!timeline.Any(x => x.Id == e.Id))
                {
                    timeline = [.. timeline.Append(e).OrderBy(x => x.OccurredAt)];
                }

                // The relay may repeat an event: shown once.
                var status = timeline[^1].To;
                if (status == _view.Status && timeline.Count == (_view.Timeline?.Count ?? 0))
                {
                    return;
                }

                SetView(view with { Status = status, Timeline = timeline });
                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (Aborted.IsCancellationRequested)
        {
            // The page went away during the read: nothing to show, and nothing for the feed to log.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StatusFailed(Logger, change.DeliveryId, ex);
        }
    }

    private async Task ShowAsync(TruckPosition position)
    {
        var takenAt = TrackClock.TakenAt(position);
        if (_disposed || position.TruckId != _subscribedTruckId || takenAt < _latestTakenAt)
        {
            return;
        }

        _latestTakenAt = takenAt;
        _live?.Add(position);
        if (_map is not null)
        {
            await _map.SetTruckAsync(position.Latitude, position.Longitude, position.HeadingDegrees);
        }
    }

    private DateTimeOffset? InitialTimestamp => _view?.LatestPosition is { } p ? TrackClock.TakenAt(p) : null;

    /// <summary>Where the truck is heading now: the pickup until it has the goods, then the drop-off.</summary>
    private TrackingPlace? Target(TrackingView view) => _phase switch
    {
        TrackPhase.BeforePickup => view.Pickup,
        TrackPhase.OnTheWay => view.Dropoff,
        _ => null,
    };

    /// <summary>Where an ETA is estimated for: none once arrived, or without a truck.</summary>
    private MapPoint? EtaDestination =>
        _view is { TruckId: not null } view && view.Status != DeliveryStatus.Arrived && Target(view) is { } t
            ? new MapPoint(t.Latitude, t.Longitude)
            : null;

    private MapPlace[] Places(TrackingView view)
    {
        var places = new List<MapPlace>(2);
        if (view.Pickup is { } pickup)
        {
            places.Add(new MapPlace(MapPlaceKind.Pickup, new MapPoint(pickup.Latitude, pickup.Longitude), L["Pickup"], pickup.Address));
        }

        if (view.Dropoff is { } dropoff)
        {
            places.Add(new MapPlace(MapPlaceKind.Dropoff, new MapPoint(dropoff.Latitude, dropoff.Longitude), L["Dropoff"], dropoff.Address));
        }

        return [.. places];
    }

    private string Headline => _view is null ? "" : L["Headline_" + _view.Status] is { ResourceNotFound: false } text ? text.Value : StatusNames.Text(_view.Status);

    private string? Subline => _view?.Status switch
    {
        DeliveryStatus.Booked => L["Sub_Booked"].Value,
        DeliveryStatus.DriverAssigned => L["Sub_DriverAssigned"].Value,
        DeliveryStatus.Delivered when LastEvent(DeliveryStatus.Delivered) is { } e => L["DeliveredAt", _clock.DateTime(e.OccurredAt)].Value,
        DeliveryStatus.Failed when LastEvent(DeliveryStatus.Failed)?.Reason is { Length: > 0 } reason => L["FailureReason", reason].Value,
        _ => null,
    };

    private StatusEventView? LastEvent(DeliveryStatus status) => _view?.Timeline?.LastOrDefault(e => e.To == status);

    private string PhaseIcon => _phase switch
    {
        TrackPhase.BeforePickup => Icons.Material.Outlined.Inventory2,
        TrackPhase.Delivered => Icons.Material.Filled.CheckCircle,
        TrackPhase.Cancelled => Icons.Material.Outlined.Cancel,
        TrackPhase.Failed => Icons.Material.Outlined.ErrorOutline,
        _ => Icons.Material.Outlined.LocalShipping,
    };

    private string PhaseColour => _phase switch
    {
        TrackPhase.Delivered => "mud-success-text",
        TrackPhase.Cancelled or TrackPhase.Failed => "mud-error-text",
        _ => "mud-primary-text",
    };

    protected override ValueTask DisposeAsyncCore()
    {
        _disposed = true;
        Unfollow();
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

        [LoggerMessage(3, LogLevel.Warning, "Checking the tracking link again after a link change failed")]
        public static partial void LinkRecheckFailed(ILogger logger, Exception exception);
    }
}
