using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sendy.Engine.Integrations;

public static class IntegrationsServiceCollectionExtensions
{
    /// <summary>Integrations: API clients (the booking system's keys).</summary>
    public static IServiceCollection AddSendyIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ApiClientOptions>(configuration, ApiClientOptions.Section);
        services.AddSingleton<ApiClientRegistry>();
        return services;
    }
}
