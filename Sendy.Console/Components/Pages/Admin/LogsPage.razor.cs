using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Api;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// Admin logs: deliveries and status events in server-paged grids (sorting and paging run in
/// PostgreSQL through <see cref="IDeliveryLogQueries"/>), one filter for both, CSV of the filter;
/// and the admin log of what staff did (<see cref="AdminLogGrid"/>).
/// </summary>
public sealed partial class LogsPage
{
    private static readonly int[] PageSizes = [25, 50, 100, 200];

    /// <summary>The third tab: what staff did, not what deliveries did.</summary>
    private const int AdminLogTab = 2;

    private MudDataGrid<DeliveryLogRow>? _deliveriesGrid;
    private MudDataGrid<StatusEventLogRow>? _eventsGrid;
    private string? _delivery;
    private string? _truck;
    private string? _driver;
    private DeliveryStatus? _status;
    private DateRange? _range;
    private int _tab;
    private bool _loadFailed;
    private (DeliveryLogSort Sort, bool Descending) _deliverySort = (DeliveryLogSort.CreatedAt, true);
    private (StatusEventLogSort Sort, bool Descending) _eventSort = (StatusEventLogSort.OccurredAt, true);

    [Inject] private IStringLocalizer<AdminLogsText> L { get; set; } = null!;

    [Inject] private IStringLocalizer<StatusText> StatusNames { get; set; } = null!;

    [Inject] private IDeliveryLogQueries Logs { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [Inject] private ILogger<LogsPage> Logger { get; set; } = null!;

    private bool HasFilter => Filter != new DeliveryLogFilter();

    /// <summary>Dates are whole days in the operations time zone; the end day is included.</summary>
    internal DeliveryLogFilter Filter => new(_delivery, _truck, _driver, _status,
        _range?.Start is { } start ? Clock.StartOf(DateOnly.FromDateTime(start)) : null,
        _range?.End is { } end ? Clock.StartOf(DateOnly.FromDateTime(end).AddDays(1)) : null);

    private string CsvHref => _tab == 0
        ? AdminLogsApi.CsvUrl(AdminLogsApi.DeliveriesCsvPath, Filter, _deliverySort.Sort, _deliverySort.Descending)
        : AdminLogsApi.CsvUrl(AdminLogsApi.StatusEventsCsvPath, Filter, _eventSort.Sort, _eventSort.Descending);

    // "download" keeps Blazor's router from taking the link: the browser saves the file and stays here.
    private static readonly Dictionary<string, object> DownloadAttributes = new() { ["download"] = "", ["data-testid"] = "export-csv" };

    private static Dictionary<string, object> TestId(string id) => new() { ["data-testid"] = id };

    /// <summary>The grid's column names (property names) mapped to the whitelist; anything else sorts by time.</summary>
    internal static readonly IReadOnlyDictionary<string, DeliveryLogSort> DeliveryColumns = new Dictionary<string, DeliveryLogSort>
    {
        [nameof(DeliveryLogRow.CreatedAt)] = DeliveryLogSort.CreatedAt,
        [nameof(DeliveryLogRow.CustomerName)] = DeliveryLogSort.Customer,
        [nameof(DeliveryLogRow.TruckName)] = DeliveryLogSort.Truck,
        [nameof(DeliveryLogRow.DriverName)] = DeliveryLogSort.Driver,
        [nameof(DeliveryLogRow.Status)] = DeliveryLogSort.Status,
        [nameof(DeliveryLogRow.PickedUpAt)] = DeliveryLogSort.PickedUpAt,
        [nameof(DeliveryLogRow.DeliveredAt)] = DeliveryLogSort.DeliveredAt,
    };

    internal static readonly IReadOnlyDictionary<string, StatusEventLogSort> EventColumns = new Dictionary<string, StatusEventLogSort>
    {
        [nameof(StatusEventLogRow.OccurredAt)] = StatusEventLogSort.OccurredAt,
        [nameof(StatusEventLogRow.CustomerName)] = StatusEventLogSort.Customer,
        [nameof(StatusEventLogRow.To)] = StatusEventLogSort.ToStatus,
        [nameof(StatusEventLogRow.ActorName)] = StatusEventLogSort.Actor,
    };

    private async Task<GridData<DeliveryLogRow>> LoadDeliveriesAsync(GridState<DeliveryLogRow> state, CancellationToken cancellationToken)
    {
        _deliverySort = SortOf(state.SortDefinitions, DeliveryColumns, DeliveryLogSort.CreatedAt);
        var request = new LogPageRequest<DeliveryLogSort>(_deliverySort.Sort, _deliverySort.Descending, state.Page, state.PageSize);
        return await LoadAsync(() => Logs.DeliveriesAsync(Filter, request, cancellationToken));
    }

    private async Task<GridData<StatusEventLogRow>> LoadEventsAsync(GridState<StatusEventLogRow> state, CancellationToken cancellationToken)
    {
        _eventSort = SortOf(state.SortDefinitions, EventColumns, StatusEventLogSort.OccurredAt);
        var request = new LogPageRequest<StatusEventLogSort>(_eventSort.Sort, _eventSort.Descending, state.Page, state.PageSize);
        return await LoadAsync(() => Logs.StatusEventsAsync(Filter, request, cancellationToken));
    }

    private async Task<GridData<T>> LoadAsync<T>(Func<Task<LogPage<T>>> load)
    {
        try
        {
            var page = await load();
            _loadFailed = false;
            StateHasChanged(); // the export link follows the grid's sort, and a warning may go away
            return new GridData<T> { Items = page.Rows, TotalItems = page.Total };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LoadFailed(Logger, ex);
            _loadFailed = true;
            StateHasChanged();
            return new GridData<T> { Items = [], TotalItems = 0 };
        }
    }

    internal static (TSort Sort, bool Descending) SortOf<T, TSort>(ICollection<SortDefinition<T>> sorts,
        IReadOnlyDictionary<string, TSort> columns, TSort fallback) where TSort : struct, Enum
    {
        var first = sorts.OrderBy(s => s.Index).FirstOrDefault();
        return first is not null && columns.TryGetValue(first.SortBy, out var sort) ? (sort, first.Descending) : (fallback, true);
    }

    private async Task ApplyAsync()
    {
        // Only the open tab's grid exists; the other loads with the new filter when opened.
        if (_tab == 0 && _deliveriesGrid is not null) await _deliveriesGrid.ReloadServerData();
        if (_tab == 1 && _eventsGrid is not null) await _eventsGrid.ReloadServerData();
    }

    private async Task ClearAsync()
    {
        (_delivery, _truck, _driver, _status, _range) = (null, null, null, null, null);
        await ApplyAsync();
    }

    private void Open(Guid deliveryId) => Navigation.NavigateTo(HistoryHref(deliveryId));

    internal static string HistoryHref(Guid deliveryId) => $"/admin/deliveries/{deliveryId}";

    internal static string ShortId(Guid id) => id.ToString("N")[..8];

    private string When(DateTimeOffset? at) =>
        at is { } t ? Clock.ToLocal(t).ToString("g", CultureInfo.CurrentCulture) : "—";

    private static string ActorIcon(StatusActorKind kind) => kind switch
    {
        StatusActorKind.Driver => Icons.Material.Outlined.LocalShipping,
        StatusActorKind.Dispatcher => Icons.Material.Outlined.SupportAgent,
        StatusActorKind.ApiClient => Icons.Material.Outlined.Api,
        _ => Icons.Material.Outlined.SmartToy,
    };

    private string Actor(StatusEventLogRow e) => e.ActorKind switch
    {
        StatusActorKind.Driver => e.ActorName ?? L["ActorDriver"],
        StatusActorKind.Dispatcher => e.ActorId ?? L["ActorDispatcher"],
        StatusActorKind.ApiClient => L["ActorApiClient", e.ActorId ?? ""],
        _ => L["ActorSystem", e.ActorId ?? ""],
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Admin log query failed")]
        public static partial void LoadFailed(ILogger logger, Exception exception);
    }
}
