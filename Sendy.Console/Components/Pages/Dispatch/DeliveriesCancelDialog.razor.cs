using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Microsoft.Extensions.Localization;
using Sendy.Console.Api;
using Sendy.Console.Components.Shared;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>Cancels a delivery after confirmation. The page asks for a reason even though the engine does not: the customer is told.</summary>
public sealed partial class DeliveriesCancelDialog
{
    private const int MaxReason = StatusValidation.MaxText;

    // One key per dialog: a double click replays the first cancellation instead of failing.
    private readonly string _idempotencyKey = "ui-cancel-" + Guid.NewGuid().ToString("N");
    private MudForm? _form;
    private string? _reason;
    private string? _error;
    private bool _busy;
    private bool _refused;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = null!;

    [Parameter, EditorRequired] public DispatchDeliveryRow Delivery { get; set; } = null!;

    [Inject] private DeliveryStatusService Statuses { get; set; } = null!;

    [Inject] private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject] private IStringLocalizer<StatusText> StatusNames { get; set; } = null!;

    private string? ReasonError(string? reason) => string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReason ? L["Invalid_ReasonRequired"].Value : null;

    private async Task ConfirmAsync()
    {
        if (_form is null || _busy) return;
        await _form.ValidateAsync();
        if (!_form.IsValid || ReasonError(_reason) is not null) return;
        _busy = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var result = await Statuses.ChangeAsync(new StatusChangeRequest(Delivery.Id, DeliveryStatus.Cancelled,
                StatusActor.Dispatcher(user.Identity?.Name), _idempotencyKey, Reason: _reason!.Trim()), Aborted);
            switch (result.Outcome)
            {
                case StatusChangeOutcome.Changed or StatusChangeOutcome.Replayed:
                    Dialog.Close(DialogResult.Ok(true));
                    return;
                case StatusChangeOutcome.InvalidTransition:
                    _error = L["CancelNotAllowed", result.Current is { } current ? StatusNames.Text(current) : ""];
                    _refused = true;
                    break;
                default:
                    _error = L["NotFound"];
                    _refused = true;
                    break;
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
