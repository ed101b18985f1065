using System.Data.Common;
using Microsoft.AspNetCore.Localization;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Preferences;

/// <summary>A circuit's requests speak the language its page was rendered in (see <see cref="UiPreferences.CircuitCultureCookie"/>).</summary>
public sealed class CircuitCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
        Task.FromResult(httpContext.Request.Path.StartsWithSegments(UiPreferences.CircuitPath)
            && httpContext.Request.Cookies[UiPreferences.CircuitCultureCookie] is { } culture && UiPreferences.IsCulture(culture)
                ? new ProviderCultureResult(culture)
                : null);
}

/// <summary>A signed-in staff member's profile language, from the claim their sign-in put in the cookie.</summary>
public sealed class StaffProfileCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
        Task.FromResult(httpContext.User.FindFirst(UiPreferences.LocaleClaim)?.Value is { } culture && UiPreferences.IsCulture(culture)
            ? new ProviderCultureResult(culture)
            : null);
}

/// <summary>A customer's tracking page (/t/{token}) speaks the delivery's language.</summary>
public sealed partial class DeliveryCultureProvider : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        if (!httpContext.Request.Path.StartsWithSegments("/t", out var rest) || rest.Value is not { Length: > 1 } tail || tail.IndexOf('/', 1) >= 0)
        {
            return null;
        }

        var services = httpContext.RequestServices;
        try
        {
            var locale = await services.GetRequiredService<IDeliveryLocales>().FindByTrackingTokenAsync(tail[1..], httpContext.RequestAborted);
            return UiPreferences.IsCulture(locale) ? new ProviderCultureResult(locale) : null;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
        {
            // The page itself will say whether the link works; its language falls back to the browser's.
            Log.LookupFailed(services.GetRequiredService<ILogger<DeliveryCultureProvider>>(), ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The delivery's locale could not be read; the browser's language is used")]
        public static partial void LookupFailed(ILogger logger, Exception exception);
    }
}
