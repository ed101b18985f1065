namespace Sendy.Engine.Storage;

/// <summary>One notification owed for a status event, on one channel. Written with the event; Hangfire jobs are made from it.</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid StatusEventId { get; set; }
    public Guid DeliveryId { get; set; }
    /// <summary>"sns-topic", "sms", "email" or "search-index" (<see cref="Sendy.Engine.Notifications.NotificationChannel"/>).</summary>
    public required string Channel { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Null while pending; set in the same transaction that handed it to Hangfire.</summary>
    public DateTimeOffset? EnqueuedAt { get; set; }
    public string? JobId { get; set; }
}
