using Hangfire;

namespace Sendy.Engine.Notifications;

/// <summary>One Hangfire <see cref="NotificationJob"/> per outbox row.</summary>
public sealed class HangfireNotificationJobQueue(IBackgroundJobClient jobs) : INotificationJobQueue
{
    public string Enqueue(long outboxId) => jobs.Enqueue<NotificationJob>(job => job.RunAsync(outboxId, CancellationToken.None));
}
