using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Audit;

namespace Sendy.Engine.Exports;

public static class ExportsServiceCollectionExtensions
{
    /// <summary>Track exports (GPX, CSV) and the admin log every export is written to.</summary>
    public static IServiceCollection AddSendyExports(this IServiceCollection services)
    {
        services.AddSingleton<ITrackQueries, PostgresTrackQueries>();
        services.AddSingleton<IAdminLog, PostgresAdminLog>();
        return services;
    }
}
