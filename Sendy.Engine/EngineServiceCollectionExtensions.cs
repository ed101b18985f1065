using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sendy.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>The tracking engine: stream clients, storage, consumer, live fan-out.</summary>
    public static IServiceCollection AddSendyEngine(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
