namespace Sendy.Console;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>UI services: Razor components, MudBlazor, localization.</summary>
    public static IServiceCollection AddSendyConsole(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }

    /// <summary>Middleware and component endpoints for the UI.</summary>
    public static WebApplication UseSendyConsole(this WebApplication app)
    {
        return app;
    }
}
