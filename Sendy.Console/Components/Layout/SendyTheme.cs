using MudBlazor;

namespace Sendy.Console.Components.Layout;

/// <summary>
/// Light and dark palettes around a deep blue; the driver page's CSS (css/driver.css) uses the same
/// colours. In the dark palette the blue is lightened so text and icons in it keep a 4.5:1 contrast
/// on the dark surfaces.
/// </summary>
public static class SendyTheme
{
    public const string PrimaryColor = "#0d3b8c";
    public const string DarkAppbarColor = "#172136";

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
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            PrimaryContrastText = "#0b1a33",
            Secondary = "#4db6ac",
            AppbarBackground = DarkAppbarColor,
            AppbarText = "#e8edf6",
            Background = "#0f1522",
            BackgroundGray = "#151c2b",
            Surface = "#1a2233",
            DrawerBackground = "#151c2b",
            DrawerText = "#dfe5f0",
            DrawerIcon = "#b8c2d6",
            TextPrimary = "#e8edf6",
            TextSecondary = "#aab4c8",
            ActionDefault = "#b8c2d6",
            LinesDefault = "#2c3750",
            LinesInputs = "#45526e",
            TableLines = "#2c3750",
            Divider = "#2c3750",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
        },
    };
}
