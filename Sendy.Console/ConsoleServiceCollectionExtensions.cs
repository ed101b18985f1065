using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Console.Api;
using Sendy.Console.Staff;
using MudBlazor.Services;
using Sendy.Console.Components;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Hosting;
using Sendy.Console.Map;
using Sendy.Console.Operations;
using Sendy.Console.Preferences;
using Sendy.Engine;
using Sendy.Engine.Fleet;

namespace Sendy.Console;

public static class ConsoleServiceCollectionExtensions
{
    internal static readonly string[] SupportedCultures = ["en", "ko"];

    /// <summary>UI services: Razor components, MudBlazor, localization.</summary>
    public static IServiceCollection AddSendyConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents()
            .AddInteractiveServerComponents();
        services.AddMudServices();

        // Resources live beside their marker classes in Resources/ (namespace Sendy.Console.Resources).
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture(SupportedCultures[0])
                .AddSupportedCultures(SupportedCultures)
                .AddSupportedUICultures(SupportedCultures);
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
        });
        services.AddSendyPreferences();

        services.AddValidatedOptions<MapOptions>(configuration, MapOptions.SectionName);

        // The dispatcher map's read side lives in the engine; the console is its only user, so it registers it.
        services.TryAddSingleton<IFleetQueries, PostgresFleetQueries>();
        services.AddValidatedOptions<DispatchOptions>(configuration, DispatchOptions.SectionName);
        services.AddValidatedOptions<Components.Pages.Driver.DriverPageOptions>(configuration, Components.Pages.Driver.DriverPageOptions.SectionName);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<OperationsOptions>(configuration, OperationsOptions.SectionName);
        services.TryAddSingleton<OperationsClock>();
        return services;
    }

    /// <summary>Middleware and component endpoints for the UI.</summary>
    public static WebApplication UseSendyConsole(this WebApplication app)
    {
        app.UseCircuitShutdownGate();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        // Authentication first: a signed-in staff member's profile language is one of the culture's sources.
        app.UseAuthentication();
        app.UseRequestLocalization();
        app.UseAuthorization();
        // Hangfire's dashboard: Admin only (signed-in Admin role only).
        app.UseHangfireDashboard("/admin/jobs", new DashboardOptions
        {
            Authorization = [new AdminDashboardFilter()],
            DashboardTitle = "Sendy jobs",
            AppPath = "/",
        }, app.Services.GetRequiredService<JobStorage>());
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        app.MapPreferenceEndpoints();
        return app;
    }
}
