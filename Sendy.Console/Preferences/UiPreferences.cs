namespace Sendy.Console.Preferences;

/// <summary>The visitor's language and theme choices: names, values and the checks on them.</summary>
public static class UiPreferences
{
    public static readonly string[] Cultures = ["en", "ko"];

    /// <summary>Chosen light or dark; absent means the system's preference.</summary>
    public const string ThemeCookie = "sendy.theme";

    /// <summary>
    /// The culture a page was rendered in, for its circuit: the circuit's own requests (/_blazor)
    /// carry neither the page's path nor a referrer, so without it a customer page rendered in the
    /// delivery's language would go on in the browser's.
    /// </summary>
    public const string CircuitCultureCookie = "sendy.circuit-culture";

    public const string CircuitPath = "/_blazor";

    /// <summary>The claim carrying a staff member's profile language (set at sign-in).</summary>
    public const string LocaleClaim = "sendy:locale";

    public static bool IsCulture(string? value) => value is not null && Cultures.Contains(value, StringComparer.Ordinal);

    /// <summary>Only a path on this site: anything else would make the switch an open redirect.</summary>
    public static bool IsLocalUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary>The page's path and query, relative to the site, for a switch's returnUrl.</summary>
    public static string ReturnUrl(string baseUri, string uri) =>
        "/" + (uri.StartsWith(baseUri, StringComparison.Ordinal) ? uri[baseUri.Length..] : "").Split('#')[0];

    public static string CultureLink(string culture, string returnUrl) =>
        $"/culture/{culture}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    public static string ThemeLink(ThemeMode mode, string returnUrl) =>
        $"/theme/{mode.ToString().ToLowerInvariant()}?returnUrl={Uri.EscapeDataString(returnUrl)}";
}

public enum ThemeMode
{
    System,
    Light,
    Dark,
}

/// <summary>
/// The theme the first render uses: the visitor's explicit choice, else the system preference the
/// browser sent as a client hint; <see cref="Explicit"/> false means the page may follow the system later.
/// </summary>
public sealed record UiTheme(bool Dark, bool Explicit)
{
    public static readonly UiTheme Default = new(false, false);

    public static UiTheme From(string? cookie, string? prefersColorScheme) => cookie switch
    {
        "dark" => new(true, true),
        "light" => new(false, true),
        _ => new(string.Equals(prefersColorScheme, "dark", StringComparison.OrdinalIgnoreCase), false),
    };
}
