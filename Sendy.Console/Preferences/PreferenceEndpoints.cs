using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Sendy.Engine.Storage;

namespace Sendy.Console.Preferences;

/// <summary>
/// The language and theme switches: plain links that set a cookie and go back to the page, so they
/// work on every page alike, static or interactive, with or without a circuit. A GET on purpose: the
/// worst a forged link can do is change someone's language or colours.
/// </summary>
public static class PreferenceEndpoints
{
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(365);

    public static WebApplication MapPreferenceEndpoints(this WebApplication app)
    {
        app.MapGet("/culture/{culture}", async (string culture, string? returnUrl, HttpContext http,
            UserManager<StaffUser> users, SignInManager<StaffUser> signIn) =>
        {
            if (!UiPreferences.IsCulture(culture)) return Problem("culture must be one of: " + string.Join(", ", UiPreferences.Cultures));
            if (returnUrl is not null && !UiPreferences.IsLocalUrl(returnUrl)) return Problem("returnUrl must be a path on this site");

            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)), Options(http));
            // Signed-in staff keep the choice in their profile, so it follows them to another browser.
            if (http.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(http.User) is { } user && user.Locale != culture)
            {
                user.Locale = culture;
                await users.UpdateAsync(user);
                await signIn.RefreshSignInAsync(user);
            }

            return Results.LocalRedirect(returnUrl ?? "/");
        });

        app.MapGet("/theme/{mode}", (string mode, string? returnUrl, HttpContext http) =>
        {
            if (!Enum.TryParse<ThemeMode>(mode, ignoreCase: true, out var theme) || !Enum.IsDefined(theme) || mode.Any(char.IsDigit))
                return Problem("mode must be one of: light, dark, system");
            if (returnUrl is not null && !UiPreferences.IsLocalUrl(returnUrl)) return Problem("returnUrl must be a path on this site");

            if (theme == ThemeMode.System) http.Response.Cookies.Delete(UiPreferences.ThemeCookie);
            else http.Response.Cookies.Append(UiPreferences.ThemeCookie, theme == ThemeMode.Dark ? "dark" : "light", Options(http));
            return Results.LocalRedirect(returnUrl ?? "/");
        });
        return app;
    }

    private static CookieOptions Options(HttpContext http) => new()
    {
        Path = "/",
        MaxAge = CookieLifetime,
        IsEssential = true, // a preference the visitor just asked for, not tracking
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = http.Request.IsHttps,
    };

    private static IResult Problem(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid preference");
}
