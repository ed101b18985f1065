using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Preferences;

public static class PreferencesServiceCollectionExtensions
{
    /// <summary>
    /// Which language a request gets, first answer wins: the circuit's page language (circuit
    /// requests only), the visitor's explicit choice (cookie), a signed-in staff member's profile,
    /// a customer link's delivery locale, the browser's Accept-Language, then the default (English).
    /// </summary>
    public static IServiceCollection AddSendyPreferences(this IServiceCollection services)
    {
        services.TryAddSingleton<IDeliveryLocales, EfDeliveryLocales>();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.RequestCultureProviders =
            [
                new CircuitCultureProvider(),
                new CookieRequestCultureProvider(),
                new StaffProfileCultureProvider(),
                new DeliveryCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }
}
