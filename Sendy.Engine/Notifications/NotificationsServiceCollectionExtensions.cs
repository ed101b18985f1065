using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Outbox;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Status notifications: the SNS, SMTP and OpenSearch adapters, the outbox dispatcher, the
    /// notification jobs and Hangfire on PostgreSQL (schema "hangfire", same database). The
    /// Hangfire server and dispatcher run unless Sendy:Notifications:ServerEnabled is false.
    /// </summary>
    public static IServiceCollection AddSendyNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Sendy")
            ?? throw new InvalidOperationException("ConnectionStrings:Sendy is not set (see README, Configuration).");
        services.AddSnsNotifications(configuration);
        services.AddSmtpEmail(configuration);
        services.AddOpenSearch(configuration);
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton<NotificationSender>();
        services.TryAddTransient<NotificationJob>();
        services.TryAddTransient<PositionExportJob>();
        services.TryAddSingleton<INotificationJobQueue, HangfireNotificationJobQueue>();

        // Our own storage instance (not JobStorage.Current): several hosts in one process (tests) each keep theirs.
        services.AddSingleton<JobStorage>(sp =>
        {
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchemaBootstrap.Schema,
                PrepareSchemaIfNecessary = false, // HangfireSchemaBootstrap installs it at start
                QueuePollInterval = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.QueuePollInterval,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
        });
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (configuration.GetValue(NotificationOptions.Section + ":ServerEnabled", true))
        {
            services.AddHostedService<HangfireSchemaBootstrap>();
            services.AddHangfireServer((sp, server) =>
            {
                server.WorkerCount = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.WorkerCount;
                server.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
            services.AddSingleton<OutboxDispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        }
        return services;
    }
}
