using Microsoft.AspNetCore.Components;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>
/// A MudBlazor icon as one piece of markup: the same SVG and classes as MudIcon, without a
/// component per icon in each customer's circuit.
/// </summary>
internal static class TrackIcon
{
    public static MarkupString Svg(string icon, string cssClass = "") => new(
        $"<svg class=\"mud-icon-root mud-svg-icon {cssClass}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{icon}</svg>");
}
