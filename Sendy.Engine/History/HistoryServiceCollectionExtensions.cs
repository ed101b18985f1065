using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sendy.Engine.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>Position history: the daily partitions' view, retention and, when enabled, the job that keeps them.</summary>
    public static IServiceCollection AddSendyHistory(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<HistoryOptions>(configuration, HistoryOptions.Section);
        services.AddSingleton<PositionPartitions>();
        services.AddSingleton<PositionRetention>();
        services.AddSingleton<IPositionHistoryQueries, PositionHistoryQueries>();
        if (options.MaintenanceEnabled) services.AddHostedSingleton<PartitionMaintainer>();
        else services.AddSingleton<PartitionMaintainer>();
        return services;
    }
}
