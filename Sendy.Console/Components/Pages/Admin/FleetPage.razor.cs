using System.Data.Common;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Quality;
using Sendy.Engine.Trackers;
using Sendy.Console.Api;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// /admin/fleet: trucks (with their tracker ids, issued and shown once with a QR code Traccar Client scans),
/// drivers and each driver's link (shown once), the tracker requests that did not work, and a truck's day as GPX or CSV.
/// </summary>
public sealed partial class FleetPage
{
    private readonly FleetFormErrors _truckErrors = new();
    private readonly FleetFormErrors _driverErrors = new();
    private readonly FleetFormErrors _editErrors = new();
    private readonly FleetFormErrors _reassignErrors = new();
    private readonly FleetFormErrors _trackerErrors = new();
    private static readonly TimeSpan ReportWindow = TimeSpan.FromHours(24);
    private IReadOnlyList<UnknownTrackerSighting> _unknown = [];
    private IReadOnlyDictionary<string, TrackerRefusalSummary> _refusals = new Dictionary<string, TrackerRefusalSummary>();
    private IReadOnlyDictionary<string, FlaggedFixSummary> _flagged = new Dictionary<string, FlaggedFixSummary>();
    private TrackerForm? _tracker;
    private IReadOnlyList<TruckSummary> _trucks = [];
    private IReadOnlyList<DriverSummary> _drivers = [];
    private TruckForm _newTruck = new();
    private DriverForm _newDriver = new();
    private EditTruckForm? _editing;
    private ReassignForm? _reassigning;
    private DriverSummary? _confirmLinkFor;
    private FleetLinkDialog.OneTimeLink? _link;
    private TruckSummary? _dayTrackFor;
    private (Severity Severity, string Text)? _message;
    private bool _busy;
    private bool _interactive;
    private bool _loaded;

    [Inject] private FleetAdmin Fleet { get; set; } = null!;
    [Inject] private FleetAdminQueries Queries { get; set; } = null!;
    [Inject] private TrackingLinks Links { get; set; } = null!;
    [Inject] private TrackerReports Reports { get; set; } = null!;
    [Inject] private FlaggedFixes Flagged { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;
    [Inject] private IStringLocalizer<AdminFleetText> L { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        await TryAsync(LoadAsync);
        _loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true; // tests wait for this before they click: a prerendered button does nothing
        StateHasChanged();
    }

    private async Task LoadAsync()
    {
        _trucks = await Queries.ListTrucksAsync(Aborted);
        _drivers = await Queries.ListDriversAsync(Aborted);
        var since = Time.GetUtcNow() - ReportWindow;
        _unknown = await Reports.UnknownSinceAsync(since, 50, Aborted);
        _refusals = await Reports.RefusalsSinceAsync(since, Aborted);
        _flagged = await Flagged.SinceAsync(since, Aborted);
    }

    private Task AddTruckAsync() => RunAsync(_truckErrors,
        () => Fleet.CreateTruckAsync(_newTruck.Id, new TruckInput(_newTruck.Name, _newTruck.Plate), Aborted),
        truck =>
        {
            _message = (Severity.Success, L["TruckCreated", truck.Id]);
            _newTruck = new TruckForm();
            _newDriver.TruckId ??= truck.Id;
        });

    private void OpenEdit(TruckSummary truck)
    {
        _editErrors.Clear();
        _editing = new EditTruckForm(truck.Id) { Name = truck.Name, Plate = truck.Plate };
    }

    private Task SaveTruckAsync() => _editing is not { } edit ? Task.CompletedTask : RunAsync(_editErrors,
        () => Fleet.UpdateTruckAsync(edit.Id, new TruckInput(edit.Name, edit.Plate), Aborted),
        truck =>
        {
            _message = (Severity.Success, L["TruckSaved", truck.Id]);
            _editing = null;
        });

    private Task AddDriverAsync() => RunAsync(_driverErrors,
        () => Fleet.CreateDriverAsync(_newDriver.Name, _newDriver.TruckId, Aborted),
        issued =>
        {
            ShowLink(issued.Entity.Name, issued.Token);
            _newDriver = new DriverForm { TruckId = _newDriver.TruckId };
        });

    private void OpenTracker(TruckSummary truck)
    {
        _trackerErrors.Clear();
        _tracker = new TrackerForm(truck);
    }

    private Task IssueTrackerIdAsync() => _tracker is not { } tracker ? Task.CompletedTask : RunAsync(_trackerErrors,
        () => Fleet.IssueTrackerIdAsync(tracker.Truck.Id, Aborted),
        deviceId =>
        {
            _tracker = null;
            var url = TrucksApi.SetupUri(Links.BaseUrl, deviceId).ToString();
            _link = new FleetLinkDialog.OneTimeLink(L["TrackerIdTitle", tracker.Truck.Id], url, FleetLinkQr.Svg(url, L["TrackerQrLabel"]),
                L["SetupUrlLabel"], deviceId, L["TrackerIdHelp", url]);
        });

    private Task SetLegacyTrackerIdAsync() => _tracker is not { } tracker ? Task.CompletedTask : RunAsync(_trackerErrors,
        () => Fleet.SetLegacyTrackerIdAsync(tracker.Truck.Id, tracker.LegacyId, Aborted),
        _ =>
        {
            _tracker = null;
            _message = (Severity.Warning, L["LegacySaved", tracker.Truck.Id]);
        });

    private Task RemoveTrackerIdAsync() => _tracker is not { } tracker ? Task.CompletedTask : RunAsync(_trackerErrors,
        () => Fleet.RemoveTrackerIdAsync(tracker.Truck.Id, Aborted),
        _ =>
        {
            _tracker = null;
            _message = (Severity.Success, L["TrackerRemoved", tracker.Truck.Id]);
        });

    private void OpenReassign(DriverSummary driver)
    {
        _reassignErrors.Clear();
        _reassigning = new ReassignForm(driver) { TruckId = driver.TruckId };
    }

    private Task ReassignAsync() => _reassigning is not { } move ? Task.CompletedTask : RunAsync(_reassignErrors,
        () => Fleet.ReassignDriverAsync(move.Driver.Id, move.TruckId, Aborted),
        driver =>
        {
            _message = (Severity.Success, L["DriverMoved", driver.Name, driver.TruckId]);
            _reassigning = null;
        });

    private async Task IssueLinkAsync()
    {
        if (_confirmLinkFor is not { } driver) return;
        _confirmLinkFor = null;
        var errors = new FleetFormErrors();
        await RunAsync(errors, () => Fleet.IssueDriverLinkAsync(driver.Id, Aborted), token => ShowLink(driver.Name, token));
        if (errors.Any) _message = (Severity.Error, errors.Text("") ?? "");
    }

    private void ShowLink(string driverName, string token)
    {
        var url = new Uri(Links.BaseUrl, "d/" + token).ToString();
        _link = new FleetLinkDialog.OneTimeLink(L["LinkTitle", driverName], url, FleetLinkQr.Svg(url, L["QrLabel"]), L["LinkLabel"]);
    }

    /// <summary>Runs a change; puts its problems on <paramref name="form"/>, or on success reloads the lists.</summary>
    private async Task RunAsync<T>(FleetFormErrors form, Func<Task<FleetResult<T>>> change, Action<T> succeeded)
    {
        _busy = true;
        _message = null;
        form.Clear();
        try
        {
            await TryAsync(async () =>
            {
                var result = await change();
                if (!result.Succeeded)
                {
                    foreach (var problem in result.Problems) form.Add(problem.Field, Describe(problem));
                    return;
                }
                succeeded(result.Value!);
                await LoadAsync();
            });
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>A database outage becomes a message on the page instead of a dead circuit.</summary>
    private async Task TryAsync(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (DbException)
        {
            _message = (Severity.Error, L["Unreachable"]);
        }
    }

    private string Describe(FleetProblem problem) => L["Fleet_" + problem.Error, problem.Limit ?? 0, problem.Detail ?? ""];

    private static Dictionary<string, object> Test(string id) => new() { ["data-testid"] = id };

    private sealed class TruckForm
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? Plate { get; set; }
    }

    private sealed class EditTruckForm(string id)
    {
        public string Id { get; } = id;
        public string? Name { get; set; }
        public string? Plate { get; set; }
    }

    private sealed class TrackerForm(TruckSummary truck)
    {
        public TruckSummary Truck { get; } = truck;
        public string? LegacyId { get; set; }
    }

    private sealed class DriverForm
    {
        public string? Name { get; set; }
        public string? TruckId { get; set; }
    }

    private sealed class ReassignForm(DriverSummary driver)
    {
        public DriverSummary Driver { get; } = driver;
        public string? TruckId { get; set; }
    }
}
