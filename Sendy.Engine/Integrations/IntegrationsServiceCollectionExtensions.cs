using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Integrations.Webhooks;

namespace Sendy.Engine.Integrations;

public static class IntegrationsServiceCollectionExtensions
{
    /// <summary>Integrations: API clients (the booking system's keys) and their webhooks.</summary>
    public static IServiceCollection AddSendyIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ApiClientOptions>(configuration, ApiClientOptions.Section);
        services.AddSingleton<ApiClientRegistry>();
        services.AddSendyWebhooks(configuration);
        return services;
    }
}
