using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Resources;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Components.Shared;

/// <summary>How a delivery status looks on every page: its name (<see cref="StatusText"/>) and its one colour.</summary>
public static class DeliveryStatusDisplay
{
    /// <summary>The status's name in the current UI culture; the enum's name when a translation is missing.</summary>
    public static string Text(this IStringLocalizer<StatusText> names, DeliveryStatus status)
    {
        var text = names[status.ToString()];
        return text.ResourceNotFound ? status.ToString() : text.Value;
    }

    /// <summary>Grey while booked, blue while assigned, primary while under way, green once there, dark when cancelled, red when failed.</summary>
    public static Color ColorOf(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Booked => Color.Default,
        DeliveryStatus.DriverAssigned => Color.Info,
        DeliveryStatus.EnRouteToPickup or DeliveryStatus.PickedUp or DeliveryStatus.InTransit => Color.Primary,
        DeliveryStatus.Arrived or DeliveryStatus.Delivered => Color.Success,
        DeliveryStatus.Cancelled => Color.Dark,
        DeliveryStatus.Failed => Color.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No colour for this delivery status."),
    };

    /// <summary>
    /// MudChip's class for <see cref="ColorOf"/>, for the customer page's plain-markup chip (no MudBlazor
    /// component in customers' circuits). MudBlazor has no class for the default colour: the plain chip is grey.
    /// </summary>
    public static string ChipClass(DeliveryStatus status) => ColorOf(status) switch
    {
        Color.Default => "",
        var color => "mud-chip-color-" + color.ToString().ToLowerInvariant(),
    };
}
