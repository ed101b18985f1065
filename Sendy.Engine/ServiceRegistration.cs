using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sendy.Engine;

/// <summary>The registration shapes the AddXxx builders share, named once so they read as intended.</summary>
public static class ServiceRegistration
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from <paramref name="section"/> for the services that take
    /// <c>IOptions&lt;T&gt;</c>, validated by its data annotations on start, and returns the same
    /// values for what registration itself decides (which hosted services run on this node).
    /// </summary>
    public static T AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class, new()
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        return configuration.GetOptions<T>(section);
    }

    /// <summary><typeparamref name="T"/> as bound from <paramref name="section"/> (its defaults where nothing is configured).</summary>
    public static T GetOptions<T>(this IConfiguration configuration, string section) where T : class, new() =>
        configuration.GetSection(section).Get<T>() ?? new T();

    /// <summary>
    /// <typeparamref name="TService"/> answered by the one <typeparamref name="TImplementation"/>
    /// singleton (which must be registered too), so the ports it implements share its state.
    /// </summary>
    public static IServiceCollection AddForwarded<TService, TImplementation>(this IServiceCollection services)
        where TService : class where TImplementation : class, TService =>
        services.AddSingleton<TService>(sp => sp.GetRequiredService<TImplementation>());

    /// <summary>A singleton that is also a hosted service (the same instance), so other services can reach it.</summary>
    public static IServiceCollection AddHostedSingleton<T>(this IServiceCollection services) where T : class, Microsoft.Extensions.Hosting.IHostedService
    {
        services.AddSingleton<T>();
        return services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
