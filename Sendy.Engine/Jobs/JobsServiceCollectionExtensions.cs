using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Hangfire on PostgreSQL (schema "hangfire", same database): the job storage and client and,
    /// unless Sendy:Notifications:ServerEnabled is false, the schema bootstrap (which also schedules
    /// the recurring jobs) and the job server.
    /// </summary>
    public static IServiceCollection AddSendyJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Sendy")
            ?? throw new InvalidOperationException("ConnectionStrings:Sendy is not set (see README, Configuration).");
        var options = services.AddValidatedOptions<JobServerOptions>(configuration, JobServerOptions.Section);

        // Our own storage instance (not JobStorage.Current): several hosts in one process (tests) each keep theirs.
        services.AddSingleton<JobStorage>(sp =>
        {
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchemaBootstrap.Schema,
                PrepareSchemaIfNecessary = false, // HangfireSchemaBootstrap installs it at start
                QueuePollInterval = sp.GetRequiredService<IOptions<JobServerOptions>>().Value.QueuePollInterval,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
        });
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (options.ServerEnabled)
        {
            services.AddHostedService<HangfireSchemaBootstrap>();
            services.AddHangfireServer((sp, server) =>
            {
                server.WorkerCount = sp.GetRequiredService<IOptions<JobServerOptions>>().Value.WorkerCount;
                server.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
        }
        return services;
    }
}
