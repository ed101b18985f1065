namespace Sendy.Engine.Notifications;

/// <summary>Hands one outbox row to the job system; returns the job id.</summary>
public interface INotificationJobQueue
{
    string Enqueue(long outboxId);
}
