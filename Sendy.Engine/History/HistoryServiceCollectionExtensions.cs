using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.History.Archive;

namespace Sendy.Engine.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>
    /// Position history: the daily partitions' view, retention and, when enabled, the job that keeps
    /// them; the archive to S3 when <c>Sendy:Archive:Enabled</c>.
    /// </summary>
    public static IServiceCollection AddSendyHistory(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<HistoryOptions>(configuration, HistoryOptions.Section);
        var archive = services.AddValidatedOptions<ArchiveOptions>(configuration, ArchiveOptions.Section);
        services.AddSingleton<PositionPartitions>();
        services.AddSingleton<PositionRetention>();
        services.AddSingleton<IPositionHistoryQueries, PositionHistoryQueries>();
        services.AddSingleton<IArchiveDays, ArchiveDays>();
        if (options.MaintenanceEnabled) services.AddHostedSingleton<PartitionMaintainer>();
        else services.AddSingleton<PartitionMaintainer>();
        if (archive.Enabled)
        {
            services.AddSingleton<IArchiveStore, S3ArchiveStore>();
            services.AddSingleton<PositionArchiver>();
            services.AddTransient<ArchiveRestoreJob>();
            if (archive.WorkerEnabled) services.AddHostedSingleton<ArchiveWorker>();
            else services.AddSingleton<ArchiveWorker>();
        }
        return services;
    }
}
