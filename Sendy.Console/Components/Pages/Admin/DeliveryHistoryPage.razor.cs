using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Map;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Console.Components.Pages.Admin;

public enum HistoryState
{
    Loading,
    Loaded,
    NotFound,
    Failed,
}

/// <summary>One delivery's full history: header, status timeline, notifications and a replay of its route.</summary>
public sealed partial class DeliveryHistoryPage
{
    /// <summary>Enough points to draw any route smoothly (simplified in the database, stops kept); more only slows the browser.</summary>
    internal const int MaxRoutePoints = 2_000;

    private HistoryState _state = HistoryState.Loading;
    private DeliveryHistory? _history;
    private DeliveryRoute? _route;
    private string? _loadedFor;

    [Parameter] public string? Id { get; set; }

    /// <summary>Set while prerendering: an unknown delivery answers 404 with the friendly page.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [Inject] private IStringLocalizer<AdminLogsText> L { get; set; } = null!;

    [Inject] private IStringLocalizer<StatusText> StatusNames { get; set; } = null!;

    [Inject] private IDeliveryHistoryQueries History { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private ILogger<DeliveryHistoryPage> Logger { get; set; } = null!;

    protected override async Task OnParametersSetAsync()
    {
        // Parameters are set again for reasons other than the id (cascading values): reloading would
        // replace the replay map under the viewer's hands.
        if (Id == _loadedFor) return;
        _loadedFor = Id;
        _state = HistoryState.Loading;
        if (!Guid.TryParse(Id, out var id))
        {
            _state = HistoryState.NotFound;
            HttpContext.SetNotFoundKeepingBody();
            return;
        }

        try
        {
            _history = await History.GetAsync(id, Aborted);
            _route = _history is null ? null : await History.RouteAsync(id, MaxRoutePoints, Aborted);
            _state = _history is null ? HistoryState.NotFound : HistoryState.Loaded;
            if (_history is null) HttpContext.SetNotFoundKeepingBody();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LoadFailed(Logger, id, ex);
            _state = HistoryState.Failed;
        }
    }

    // "download" keeps Blazor's router from taking the link: the browser saves the file and stays here.
    private static Dictionary<string, object> Download(string testId) => new() { ["download"] = "", ["data-testid"] = testId };

    private static MapPoint? Place(PlaceView place) =>
        place is { Latitude: { } lat, Longitude: { } lng } ? new MapPoint(lat, lng) : null;

    private string When(DateTimeOffset? at) =>
        at is { } t ? Clock.ToLocal(t).ToString("g", CultureInfo.CurrentCulture) : "—";

    private string Actor(StatusEventLogRow e) => e.ActorKind switch
    {
        StatusActorKind.Driver => L["ByDriver", e.ActorName ?? L["ActorDriver"]],
        StatusActorKind.Dispatcher => L["ByDispatcher", e.ActorId ?? L["ActorDispatcher"]],
        StatusActorKind.ApiClient => L["ByApiClient", e.ActorId ?? ""],
        _ => L["BySystem", e.ActorId ?? ""],
    };

    private string ChannelText(string channel) => L["Channel_" + channel] is { ResourceNotFound: false } text ? text : channel;

    private static string ChannelIcon(string channel) => channel switch
    {
        "email" => Icons.Material.Outlined.Email,
        "sms" => Icons.Material.Outlined.Sms,
        "sns-topic" => Icons.Material.Outlined.Campaign,
        "search-index" => Icons.Material.Outlined.ManageSearch,
        _ => Icons.Material.Outlined.Notifications,
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Delivery history {DeliveryId} could not be loaded")]
        public static partial void LoadFailed(ILogger logger, Guid deliveryId, Exception exception);
    }
}
