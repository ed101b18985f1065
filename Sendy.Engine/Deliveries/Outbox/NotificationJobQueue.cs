using Hangfire;

namespace Sendy.Engine.Deliveries.Outbox;

/// <summary>Hands one outbox row to the job system; returns the job id.</summary>
public interface INotificationJobQueue
{
    string Enqueue(long outboxId);
}

public sealed class HangfireNotificationJobQueue(IBackgroundJobClient jobs) : INotificationJobQueue
{
    public string Enqueue(long outboxId) => jobs.Enqueue<NotificationJob>(job => job.RunAsync(outboxId, CancellationToken.None));
}
