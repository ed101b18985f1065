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

    private (MapPoint? Pickup, MapPoint? Dropoff)? _shown;

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
        IsDisposed ? Task.CompletedTask : OnPick.InvokeAsync(new MapPoint(Math.Round(latitude, 6), Math.Round(longitude, 6)));

    protected override string Module => ModulePath;

    protected override string DisposeFunction => "disposePicker";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The first render creates the map and waits for it.
        await base.OnAfterRenderAsync(firstRender);
        if (IsModuleReady && _shown != (Pickup, Dropoff))
        {
            _shown = (Pickup, Dropoff);
            await InvokeModuleAsync("setPoints", Element, new { pickup = ToArray(Pickup), dropoff = ToArray(Dropoff) });
        }
    }

    protected override async Task CreateAsync(IJSObjectReference module)
    {
        var options = Options.Value;
        await module.InvokeVoidAsync("createPicker", Element, Self, new
        {
            tileUrl = options.TileUrl,
            attribution = options.Attribution,
            maxZoom = options.MaxZoom,
            center = new[] { InitialCenter.Latitude, InitialCenter.Longitude },
            zoom = InitialZoom,
            labels = new { pickup = PickupLabel, dropoff = DropoffLabel },
        });
    }

    private static double[]? ToArray(MapPoint? p) => p is { } point ? [point.Latitude, point.Longitude] : null;
}
