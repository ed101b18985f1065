using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace Sendy.Console.Map;

/// <summary>
/// A Leaflet map with one truck marker, driven through <c>wwwroot/js/map.js</c>. The map is
/// created after the first render; calls made before that are remembered and applied once it
/// exists, so a position that arrives early is not lost. Marker moves go straight to JS and
/// never re-render this component.
/// </summary>
public sealed partial class TruckMap
{
    internal const string ModulePath = "./js/map.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private Task? _initialization;
    private (double Lat, double Lon, double? Heading)? _pendingTruck;
    private MapPoint[]? _pendingFit;
    private bool _disposed;

    [Parameter] public string? Class { get; set; }

    [Parameter] public string? Style { get; set; }

    [Parameter] public string? AriaLabel { get; set; }

    /// <summary>Where the map starts when it has no truck yet.</summary>
    [Parameter] public MapPoint InitialCenter { get; set; } = new(37.5665, 126.9780);

    [Parameter] public int InitialZoom { get; set; } = 11;

    /// <summary>Pan to keep the truck in view when it moves.</summary>
    [Parameter] public bool FollowTruck { get; set; } = true;

    /// <summary>Raised once the map exists in the browser.</summary>
    [Parameter] public EventCallback OnReady { get; set; }

    /// <summary>Places the truck marker, creating it on first use; heading in degrees from north (null: no arrow).</summary>
    public async Task SetTruckAsync(double latitude, double longitude, double? heading)
    {
        if (_disposed)
        {
            return;
        }

        if (_module is null)
        {
            _pendingTruck = (latitude, longitude, heading);
            return;
        }

        await InvokeSafelyAsync("setTruck", _element, latitude, longitude, heading, FollowTruck);
    }

    /// <summary>Fits the view to the given points (one point: centre on it at the truck zoom).</summary>
    public async Task FitToAsync(params MapPoint[] points)
    {
        if (_disposed || points.Length == 0)
        {
            return;
        }

        if (_module is null)
        {
            _pendingFit = points;
            return;
        }

        await InvokeSafelyAsync("fitTo", _element, points.Select(p => new[] { p.Latitude, p.Longitude }).ToArray());
    }

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
            });
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

        if (_pendingFit is { } fit)
        {
            _pendingFit = null;
            await FitToAsync(fit);
        }

        if (_pendingTruck is { } truck)
        {
            _pendingTruck = null;
            await SetTruckAsync(truck.Lat, truck.Lon, truck.Heading);
        }

        await OnReady.InvokeAsync();
    }

    private async Task InvokeSafelyAsync(string identifier, params object?[] args)
    {
        try
        {
            await _module!.InvokeVoidAsync(identifier, args);
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
    }

    private async Task DisposeModuleAsync()
    {
        var module = _module;
        _module = null;
        if (module is null)
        {
            return;
        }

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
        [LoggerMessage(1, LogLevel.Warning, "Map could not be created in the browser")]
        public static partial void MapFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Map call {Identifier} failed in the browser")]
        public static partial void MapCallFailed(ILogger logger, string identifier, Exception exception);
    }
}
