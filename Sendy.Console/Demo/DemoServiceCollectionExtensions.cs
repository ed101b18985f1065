using Sendy.Engine;

namespace Sendy.Console.Demo;

public static class DemoServiceCollectionExtensions
{
    /// <summary>The demo fleet and its deliveries, when Sendy:Demo:Enabled.</summary>
    public static IServiceCollection AddSendyDemo(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<DemoOptions>(configuration, DemoOptions.Section);
        if (!options.Enabled) return services;
        services.AddHttpClient("demo");
        services.AddSingleton<DemoDeliveries>();
        services.AddHostedService<DemoFleet>();
        return services;
    }
}
