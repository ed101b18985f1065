using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Sendy.Console.Map;

/// <summary>
/// A small Leaflet map to place a pickup and a drop-off by clicking, driven through
/// <c>wwwroot/js/location-picker.js</c>. A click is reported through <see cref="OnPick"/>; the
/// parent decides which point it sets and passes both back as parameters, which move the pins.
/// </summary>
public sealed partial class LocationPicker
{
    internal const string ModulePath = "./js/location-picker.js";

    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<LocationPicker>? _self;
    private (MapPoint? Pickup, MapPoint? Dropoff)? _shown;
    private bool _disposed;

    [Parameter] public MapPoint? Pickup { get; set; }

    [Parameter] public MapPoint? Dropoff { get; set; }

    [Parameter] public EventCallback<MapPoint> OnPick { get; set; }

    [Parameter] public string PickupLabel { get; set; } = "Pickup";

    [Parameter] public string DropoffLabel { get; set; } = "Drop-off";

    [Parameter] public string? AriaLabel { get; set; }

    [Parameter] public string? Class { get; set; }

    [Parameter] public string? Style { get; set; }

    /// <summary>Where the map starts when no point is set.</summary>
    [Parameter] public MapPoint InitialCenter { get; set; } = new(36.5, 127.8);

    [Parameter] public int InitialZoom { get; set; } = 7;

    [JSInvokable]
    public Task OnMapClick(double latitude, double longitude) =>
        _disposed ? Task.CompletedTask : OnPick.InvokeAsync(new MapPoint(Math.Round(latitude, 6), Math.Round(longitude, 6)));

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            await CreateAsync();
        }

        if (_module is not null && _shown != (Pickup, Dropoff))
        {
            _shown = (Pickup, Dropoff);
            await InvokeSafelyAsync("setPoints", _element, new { pickup = ToArray(Pickup), dropoff = ToArray(Dropoff) });
        }
    }

    private async Task CreateAsync()
    {
        try
        {
            var module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            _self = DotNetObjectReference.Create(this);
            var options = Options.Value;
            await module.InvokeVoidAsync("createPicker", _element, _self, new
            {
                tileUrl = options.TileUrl,
                attribution = options.Attribution,
                maxZoom = options.MaxZoom,
                center = new[] { InitialCenter.Latitude, InitialCenter.Longitude },
                zoom = InitialZoom,
                labels = new { pickup = PickupLabel, dropoff = DropoffLabel },
            });
            _module = module;
        }
        catch (JSDisconnectedException)
        {
        }
        catch (JSException ex)
        {
            Log.PickerFailed(Logger, ex);
        }
    }

    private static double[]? ToArray(MapPoint? p) => p is { } point ? [point.Latitude, point.Longitude] : null;

    private async Task InvokeSafelyAsync(string identifier, params object?[] args)
    {
        try
        {
            await _module!.InvokeVoidAsync(identifier, args);
        }
        catch (JSDisconnectedException)
        {
        }
        catch (JSException ex)
        {
            Log.PickerCallFailed(Logger, identifier, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        var module = _module;
        _module = null;
        if (module is not null)
        {
            try
            {
                await module.InvokeVoidAsync("disposePicker", _element);
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone and took the map with it.
            }
        }

        _self?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The location picker map could not be created in the browser")]
        public static partial void PickerFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Location picker call {Identifier} failed in the browser")]
        public static partial void PickerCallFailed(ILogger logger, string identifier, Exception exception);
    }
}
