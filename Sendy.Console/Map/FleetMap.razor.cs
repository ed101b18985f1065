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

    public bool IsReady => IsModuleReady;

    /// <summary>Places or moves the given trucks' markers: one interop call, rows <c>[id, lat, lng, heading, speed m/s, taken-at ms]</c>.</summary>
    public Task UpdateTrucksAsync(IReadOnlyCollection<TruckPosition> positions)
    {
        if (positions.Count == 0) return Task.CompletedTask;
        var rows = new object?[positions.Count][];
        var i = 0;
        foreach (var p in positions)
            rows[i++] = Row(p);
        return InvokeModuleAsync("updateTrucks", Element, rows);
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
    public Task SelectTruckAsync(string? truckId, bool zoom) => InvokeModuleAsync("selectTruck", Element, truckId, zoom);

    /// <summary>Draws the truck's trail (oldest first), replacing any other; an empty list clears it.</summary>
    public Task ShowTrailAsync(string? truckId, IReadOnlyList<TrailPoint> points) =>
        InvokeModuleAsync("showTrail", Element, truckId, points.Select(p => new[] { Math.Round(p.Latitude, 6), Math.Round(p.Longitude, 6) }).ToArray());

    /// <summary>Fits the view to every truck on the map.</summary>
    public Task FitTrucksAsync() => InvokeModuleAsync("fitTrucks", Element);

    [JSInvokable(nameof(OnTruckClicked))]
    public Task TruckClickedAsync(string truckId) => OnTruckClicked.InvokeAsync(truckId);

    protected override string Module => ModulePath;

    protected override string DisposeFunction => "disposeMap";

    protected override async Task CreateAsync(IJSObjectReference module)
    {
        var options = Options.Value;
        await module.InvokeVoidAsync("createMap", Element, new
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
        }, Self);
    }

    protected override Task OnModuleReadyAsync() => OnReady.InvokeAsync();
}
