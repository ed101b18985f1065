using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Console.Operations;

namespace Sendy.Console.Tests.Infrastructure;

internal static class OperationsClockServices
{
    /// <summary>The operations clock for a bunit context, on the context's TimeProvider (the system's when it has none).</summary>
    public static IServiceCollection AddOperationsClock(this IServiceCollection services, string zone = OperationsOptions.DefaultTimeZone)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new OperationsOptions { TimeZone = zone }));
        services.AddSingleton<OperationsClock>();
        return services;
    }
}
