using MudBlazor;

namespace Sendy.Console.Components.Layout;

/// <summary>Light theme with a deep blue primary; the driver page's CSS uses the same colours.</summary>
public static class SendyTheme
{
    public const string PrimaryColor = "#0d3b8c";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = PrimaryColor,
            Secondary = "#00897b",
            AppbarBackground = PrimaryColor,
            Background = "#f5f7fb",
            Surface = "#ffffff",
            TextPrimary = "#1b2433",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
        },
    };
}
