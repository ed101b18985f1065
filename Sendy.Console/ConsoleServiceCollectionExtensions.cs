using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Console.Api;
using Sendy.Console.Security;
using MudBlazor.Services;
using Sendy.Console.Components;
using Sendy.Console.Map;

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

        services.AddOptions<MapOptions>()
            .Bind(configuration.GetSection(MapOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Roles exist now; sign-in comes later (see Security/SignInPending.cs): until then these answer 401.
        services.AddAuthentication(SignInPendingHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SignInPendingHandler>(SignInPendingHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(DeliveriesApi.DispatcherPolicy, p => p.RequireRole(Roles.Dispatcher, Roles.Admin))
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Middleware and component endpoints for the UI.</summary>
    public static WebApplication UseSendyConsole(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        // Hangfire's dashboard: Admin only (closed until sign-in exists).
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
        return app;
    }
}
