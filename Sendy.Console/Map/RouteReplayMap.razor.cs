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

    private ElementReference _element;
    private IJSObjectReference? _module;
    private DotNetObjectReference<RouteReplayMap>? _self;
    private Task? _initialization;
    private bool _ready;
    private bool _ended;
    private bool _disposed;

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
            await InvokeSafelyAsync("pause", _element);
            return;
        }

        if (_ended)
        {
            _ended = false;
            await InvokeSafelyAsync("seek", _element, 0.0);
        }

        Playing = true;
        await InvokeSafelyAsync("play", _element, Speed);
    }

    private async Task SetSpeedAsync(int speed)
    {
        Speed = speed;
        await InvokeSafelyAsync("setSpeed", _element, speed);
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
            _self = DotNetObjectReference.Create(this);
            var options = Options.Value;
            await module.InvokeVoidAsync("createReplay", _element, new
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
            }, Route is { } route ? Rows(route.Points) : Array.Empty<object?[]>(), _self);
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

        _ready = true;
        StateHasChanged();
    }

    private async Task InvokeSafelyAsync(string identifier, params object?[] args)
    {
        if (_module is null) return;
        try
        {
            await _module.InvokeVoidAsync(identifier, args);
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; nothing left to animate.
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
            await module.InvokeVoidAsync("disposeReplay", _element);
            await module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // Browser already gone: it took the map with it.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Replay map could not be created in the browser")]
        public static partial void MapFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Replay map call {Identifier} failed in the browser")]
        public static partial void MapCallFailed(ILogger logger, string identifier, Exception exception);
    }
}
