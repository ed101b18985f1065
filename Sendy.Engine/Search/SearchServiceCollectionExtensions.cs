using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// Search: the OpenSearch adapter (index setup, bulk indexing, status event search, index admin),
    /// the recurring position export and the retention of its indices, which the job server schedules
    /// (see <c>HangfireSchemaBootstrap</c>).
    /// </summary>
    public static IServiceCollection AddSendySearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOpenSearch(configuration);
        services.AddValidatedOptions<PositionExportOptions>(configuration, PositionExportOptions.Section);
        services.TryAddTransient<PositionExportJob>();
        services.TryAddTransient<PositionIndexRetentionJob>();
        services.TryAddSingleton<PositionIndexRetentionJob.ForeignIndices>();
        return services;
    }
}
