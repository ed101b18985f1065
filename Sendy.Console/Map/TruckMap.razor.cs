using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace Sendy.Console.Map;

/// <summary>
/// A Leaflet map with one truck marker, optional place markers (pickup, drop-off) and a trail,
/// driven through <c>wwwroot/js/map.js</c>. The map is created after the first render; calls made
/// before that are queued and applied in order once it exists, so nothing that arrives early is
/// lost. Marker moves (which also extend the trail in the browser) go straight to JS and never
/// re-render this component.
/// </summary>
public sealed partial class TruckMap
{
    internal const string ModulePath = "./js/map.js";

    private List<(string Identifier, object?[] Args)>? _pending;

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
    public Task SetTruckAsync(double latitude, double longitude, double? heading) =>
        CallAsync("setTruck", [Micro(latitude), Micro(longitude), heading is { } h ? (int)Math.Round(h) : null, FollowTruck ? 1 : 0]);

    /// <summary>Removes the truck marker (another truck took the delivery); the next <see cref="SetTruckAsync"/> places it anew.</summary>
    public Task ClearTruckAsync() => CallAsync("clearTruck", []);

    /// <summary>Shows these place markers (replacing earlier ones) with their labels.</summary>
    /// <remarks>Sent flat (kind, lat, lng, title, address per place) rather than as records: see <see cref="Micro"/>.</remarks>
    public Task SetPlacesAsync(params MapPlace[] places) =>
        CallAsync("setPlaces", [places.SelectMany(p => new object?[]
        {
            p.Kind == MapPlaceKind.Pickup ? "pickup" : "dropoff", Micro(p.Point.Latitude), Micro(p.Point.Longitude), p.Title, p.Address,
        }).ToArray()]);

    /// <summary>
    /// The point that matters besides the truck (where it is heading): the view keeps both in
    /// sight, now and as the truck moves. Null: follow the truck alone.
    /// </summary>
    public Task SetFocusAsync(MapPoint? focus) =>
        CallAsync("setFocus", focus is { } f ? [Micro(f.Latitude), Micro(f.Longitude)] : [null, null]);

    /// <summary>
    /// Draws the trail from these points, oldest first; later truck positions extend it in the
    /// browser. Null removes it.
    /// </summary>
    public Task SetTrailAsync(IReadOnlyList<MapPoint>? points)
    {
        if (points is null)
        {
            return CallAsync("setTrail", [null]);
        }

        // Flat [lat, lng, lat, lng, ...]: half the JSON of nested pairs; object?[] like the arguments
        // themselves, so no other array type is met (see Micro).
        var flat = new object?[points.Count * 2];
        for (var i = 0; i < points.Count; i++)
        {
            flat[2 * i] = Micro(points[i].Latitude);
            flat[2 * i + 1] = Micro(points[i].Longitude);
        }

        return CallAsync("setTrail", [flat]);
    }

    /// <summary>
    /// A coordinate as whole microdegrees (1e-6 degree, 0.11 m; map.js divides). Only strings and
    /// ints cross to the browser: the circuit's JS-interop serializer builds and keeps metadata for
    /// every type it meets and all of that type's interfaces, per circuit; a double brought some
    /// forty of them (a heap dump of the benchmark), ints and strings Blazor sends anyway.
    /// </summary>
    internal static int Micro(double degrees) => (int)Math.Round(degrees * 1e6);

    protected override string Module => ModulePath;

    protected override string DisposeFunction => "disposeMap";

    private async Task CallAsync(string identifier, object?[] args)
    {
        if (IsDisposed)
        {
            return;
        }

        if (!IsModuleReady)
        {
            (_pending ??= []).Add((identifier, args));
            return;
        }

        await InvokeModuleAsync(identifier, [Element, .. args]);
    }

    protected override async Task CreateAsync(IJSObjectReference module)
    {
        var options = Options.Value;
        // Strings and whole numbers, not an options object: see Micro.
        await module.InvokeVoidAsync("createMap", Element, options.TileUrl, options.Attribution, options.MaxZoom,
            options.TruckZoom, Micro(InitialCenter.Latitude), Micro(InitialCenter.Longitude), InitialZoom);
    }

    protected override async Task OnModuleReadyAsync()
    {
        var pending = _pending;
        _pending = null;
        foreach (var (identifier, args) in pending ?? [])
        {
            await InvokeModuleAsync(identifier, [Element, .. args]);
        }

        await OnReady.InvokeAsync();
    }
}
