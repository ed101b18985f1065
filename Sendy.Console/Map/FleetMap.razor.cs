using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Map;

/// <summary>
/// Every truck on one Leaflet map with clustering, driven through <c>wwwroot/js/dispatch-map.js</c>.
/// Positions go to the browser in compact rows, one interop call per batch; the component never
/// re-renders for them. Calls made before the map exists are dropped except the selection: the
/// owner sends the whole fleet from <see cref="OnReady"/>.
/// </summary>
public sealed partial class FleetMap
{
    internal const string ModulePath = "./js/dispatch-map.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<FleetMap>? _self;
    private Task? _initialization;
    private bool _disposed;

    [Parameter] public string? Class { get; set; }

    [Parameter] public string? Style { get; set; }

    [Parameter] public string? AriaLabel { get; set; }

    [Parameter] public MapPoint InitialCenter { get; set; } = new(36.35, 127.8);

    [Parameter] public int InitialZoom { get; set; } = 7;

    /// <summary>The stale threshold and moving speed the browser colours markers by (same as the list's).</summary>
    [Parameter] public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter] public double MovingSpeedMps { get; set; } = 5 / 3.6;

    /// <summary>Raised once the map exists in the browser: send it the fleet.</summary>
    [Parameter] public EventCallback OnReady { get; set; }

    /// <summary>Raised when a truck's marker is clicked, with the truck id.</summary>
    [Parameter] public EventCallback<string> OnTruckClicked { get; set; }

    public bool IsReady => _module is not null;

    /// <summary>Places or moves the given trucks' markers: one interop call, rows <c>[id, lat, lng, heading, speed m/s, taken-at ms]</c>.</summary>
    public Task UpdateTrucksAsync(IReadOnlyCollection<TruckPosition> positions)
    {
        if (positions.Count == 0) return Task.CompletedTask;
        var rows = new object?[positions.Count][];
        var i = 0;
        foreach (var p in positions)
            rows[i++] = Row(p);
        return InvokeSafelyAsync("updateTrucks", _element, rows);
    }

    internal static object?[] Row(TruckPosition p)
    {
        var takenAt = p.RecordedAt < p.ReceivedAt ? p.RecordedAt : p.ReceivedAt;
        // Six decimals is about 10 cm: more only makes the message longer.
        return [p.TruckId, Math.Round(p.Latitude, 6), Math.Round(p.Longitude, 6),
            p.HeadingDegrees is { } h ? Math.Round(h, 1) : null,
            p.SpeedMps is { } s ? Math.Round(s, 2) : null,
            takenAt.ToUnixTimeMilliseconds()];
    }

    /// <summary>Highlights a truck (null: none); with <paramref name="zoom"/>, zooms until it leaves its cluster.</summary>
    public Task SelectTruckAsync(string? truckId, bool zoom) => InvokeSafelyAsync("selectTruck", _element, truckId, zoom);

    /// <summary>Draws the truck's trail (oldest first), replacing any other; an empty list clears it.</summary>
    public Task ShowTrailAsync(string? truckId, IReadOnlyList<TrailPoint> points) =>
        InvokeSafelyAsync("showTrail", _element, truckId, points.Select(p => new[] { Math.Round(p.Latitude, 6), Math.Round(p.Longitude, 6) }).ToArray());

    /// <summary>Fits the view to every truck on the map.</summary>
    public Task FitTrucksAsync() => InvokeSafelyAsync("fitTrucks", _element);

    [JSInvokable(nameof(OnTruckClicked))]
    public Task TruckClickedAsync(string truckId) => OnTruckClicked.InvokeAsync(truckId);

    protected override Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _initialization = InitializeAsync();
            return _initialization;
        }

        return Task.CompletedTask;
    }

    private async Task InitializeAsync()
    {
        try
        {
            _self = DotNetObjectReference.Create(this);
            var module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            var options = Options.Value;
            await module.InvokeVoidAsync("createMap", _element, new
            {
                tileUrl = options.TileUrl,
                attribution = options.Attribution,
                maxZoom = options.MaxZoom,
                truckZoom = options.TruckZoom,
                center = new[] { InitialCenter.Latitude, InitialCenter.Longitude },
                zoom = InitialZoom,
                staleAfterMs = StaleAfter.TotalMilliseconds,
                movingSpeedMps = MovingSpeedMps,
                // The browser's clock may be off; states are judged by the server's.
                serverNowMs = Time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, _self);
            _module = module;
        }
        catch (JSDisconnectedException)
        {
            return;
        }
        catch (JSException ex)
        {
            Log.MapFailed(Logger, ex);
            return;
        }

        if (_disposed)
        {
            await DisposeModuleAsync();
            return;
        }

        await OnReady.InvokeAsync();
    }

    private async Task InvokeSafelyAsync(string identifier, params object?[] args)
    {
        if (_module is null || _disposed) return;
        try
        {
            await _module.InvokeVoidAsync(identifier, args);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; nothing left to draw on.
        }
        catch (JSException ex)
        {
            Log.MapCallFailed(Logger, identifier, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_initialization is not null)
        {
            try
            {
                await _initialization;
            }
            catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException)
            {
            }
        }

        await DisposeModuleAsync();
        _self?.Dispose();
    }

    private async Task DisposeModuleAsync()
    {
        var module = _module;
        _module = null;
        if (module is null) return;
        try
        {
            await module.InvokeVoidAsync("disposeMap", _element);
            await module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // Browser already gone: it took the map with it.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Fleet map could not be created in the browser")]
        public static partial void MapFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Fleet map call {Identifier} failed in the browser")]
        public static partial void MapCallFailed(ILogger logger, string identifier, Exception exception);
    }
}
