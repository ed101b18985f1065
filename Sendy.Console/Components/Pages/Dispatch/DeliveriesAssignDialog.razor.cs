using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// Picks the driver for a delivery; the driver's truck comes with them. Allowed until the delivery
/// is closed (the engine checks again under the row lock). Closes with the chosen <see cref="DriverChoice"/>.
/// </summary>
public sealed partial class DeliveriesAssignDialog
{
    private IReadOnlyList<DriverChoice>? _drivers;
    private DriverChoice? _selected;
    private string _search = "";
    private string? _error;
    private bool _busy;
    private bool _closed;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = null!;

    [Parameter, EditorRequired] public DispatchDeliveryRow Delivery { get; set; } = null!;

    [Inject] private DispatchBoardQueries Board { get; set; } = null!;

    [Inject] private DeliveryBookingService Bookings { get; set; } = null!;

    [Inject] private AuthenticationStateProvider Auth { get; set; } = null!;

    private IReadOnlyList<DriverChoice> Visible => (_drivers ?? []).Where(d => _search.Length == 0
        || new[] { d.DriverName, d.TruckName, d.TruckId, d.TruckPlate }.Any(t => t?.Contains(_search, StringComparison.CurrentCultureIgnoreCase) == true)).ToList();

    protected override async Task OnInitializedAsync()
    {
        _drivers = await Board.DriversAsync(Aborted);
        _selected = _drivers.FirstOrDefault(d => d.DriverId == Delivery.DriverId);
    }

    private void SetSearch(string? text) => _search = text?.Trim() ?? "";

    private void Select(DriverChoice driver)
    {
        _selected = driver;
        _error = null;
    }

    private async Task AssignAsync()
    {
        if (_selected is not { } driver || _busy) return;
        _busy = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            switch (await Bookings.AssignAsync(Delivery.Id, driver.DriverId, user.Identity?.Name, Aborted))
            {
                case AssignOutcome.Assigned:
                    Dialog.Close(DialogResult.Ok(driver));
                    return;
                case AssignOutcome.UnknownDriver:
                    _error = L["AssignUnknownDriver"];
                    _selected = null;
                    _drivers = await Board.DriversAsync(Aborted);
                    break;
                case AssignOutcome.Closed:
                    _error = L["AssignClosed"];
                    _closed = true;
                    break;
                default:
                    _error = L["NotFound"];
                    _closed = true;
                    break;
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
