using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Sendy.Console.Operations;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Map;

/// <summary>
/// A delivery's route on a Leaflet map with replay (<c>wwwroot/js/replay-map.js</c>). The points
/// go to the browser once; the animation, the marker and the slider run there, so a frame never
/// costs a render or a round trip. This component only holds the controls' state: playing or not,
/// the speed, and whether the replay reached its end (then Play starts again from the beginning).
/// </summary>
public sealed partial class RouteReplayMap
{
    internal const string ModulePath = "./js/replay-map.js";
    internal const int SliderMax = 1000;

    /// <summary>Replay speeds, in route seconds per second.</summary>
    public static readonly int[] Speeds = [1, 10, 60, 300, 1200];

    private bool _ready;
    private bool _ended;

    [Parameter, EditorRequired] public DeliveryRoute? Route { get; set; }

    [Parameter] public MapPoint? Pickup { get; set; }

    [Parameter] public MapPoint? Dropoff { get; set; }

    [Parameter] public string? Class { get; set; }

    [Parameter] public string? Style { get; set; }

    [Parameter] public string? AriaLabel { get; set; }

    [Inject] private OperationsClock Clock { get; set; } = null!;

    public bool Playing { get; private set; }

    public int Speed { get; private set; } = 60;

    private bool HasRoute => Route is { Points.Count: > 0 };

    private async Task ToggleAsync()
    {
        if (Playing)
        {
            Playing = false;
            await InvokeModuleAsync("pause", Element);
            return;
        }

        if (_ended)
        {
            _ended = false;
            await InvokeModuleAsync("seek", Element, 0.0);
        }

        Playing = true;
        await InvokeModuleAsync("play", Element, Speed);
    }

    private async Task SetSpeedAsync(int speed)
    {
        Speed = speed;
        await InvokeModuleAsync("setSpeed", Element, speed);
    }

    /// <summary>The browser reached the last point.</summary>
    [JSInvokable]
    public Task ReplayEnded() => InvokeAsync(() =>
    {
        Playing = false;
        _ended = true;
        StateHasChanged();
    });

    /// <summary>The viewer dragged the slider: a replay that had ended can go on from there.</summary>
    [JSInvokable]
    public Task ReplaySought(bool atEnd) => InvokeAsync(() =>
    {
        _ended = atEnd;
        StateHasChanged();
    });

    /// <summary>Compact rows for the browser: [lat, lng, recorded-at ms, heading or null].</summary>
    internal static object?[][] Rows(IReadOnlyList<RoutePoint> points) =>
        points.Select(p => new object?[]
        {
            Math.Round(p.Latitude, 6), Math.Round(p.Longitude, 6), p.RecordedAt.ToUnixTimeMilliseconds(),
            p.HeadingDegrees is { } h ? Math.Round(h, 1) : null,
        }).ToArray();

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);

    /// <summary>The slider's ends: the time only (the date is in the route's caption).</summary>
    private string ClockTime(DateTimeOffset at) => Clock.ToLocal(at).ToString("t", CultureInfo.CurrentCulture);

    protected override string Module => ModulePath;

    protected override string DisposeFunction => "disposeReplay";

    protected override async Task CreateAsync(IJSObjectReference module)
    {
        var options = Options.Value;
        await module.InvokeVoidAsync("createReplay", Element, new
        {
            tileUrl = options.TileUrl,
            attribution = options.Attribution,
            maxZoom = options.MaxZoom,
            pickup = Pickup is { } p ? new[] { p.Latitude, p.Longitude } : null,
            dropoff = Dropoff is { } d ? new[] { d.Latitude, d.Longitude } : null,
            pickupLabel = L["Pickup"].Value,
            dropoffLabel = L["Dropoff"].Value,
            sliderMax = SliderMax,
            locale = CultureInfo.CurrentUICulture.Name,
            timeZone = Clock.ZoneId,
        }, Route is { } route ? Rows(route.Points) : Array.Empty<object?[]>(), Self);
    }

    protected override Task OnModuleReadyAsync()
    {
        _ready = true;
        StateHasChanged();
        return Task.CompletedTask;
    }
}
