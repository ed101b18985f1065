using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Engine.Deliveries.Outbox;
using Sendy.Engine.Jobs;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;

namespace Sendy.Engine.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Status notifications: the SNS and SMTP adapters, the notification job and its queue, the job
    /// system it runs on and, where the job server runs (Sendy:Notifications:ServerEnabled), the
    /// outbox dispatcher. The search-index channel needs <c>AddSendySearch</c> as well.
    /// </summary>
    public static IServiceCollection AddSendyNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSnsNotifications(configuration);
        services.AddSmtpEmail(configuration);
        services.AddValidatedOptions<OutboxOptions>(configuration, OutboxOptions.Section);

        services.TryAddSingleton<NotificationSender>();
        services.TryAddTransient<NotificationJob>();
        services.TryAddSingleton<INotificationJobQueue, HangfireNotificationJobQueue>();

        // Hosted services start in registration order: the job schema after the SNS topic, before the dispatcher.
        services.AddSendyJobs(configuration);
        if (configuration.GetOptions<JobServerOptions>(JobServerOptions.Section).ServerEnabled)
        {
            services.AddHostedSingleton<OutboxDispatcher>();
        }
        return services;
    }
}
