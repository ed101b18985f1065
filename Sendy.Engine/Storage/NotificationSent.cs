namespace Sendy.Engine.Storage;

/// <summary>Proof a notification went out: the job checks it first, so a job that runs twice sends once.</summary>
public sealed class NotificationSent
{
    public long OutboxId { get; set; }
    public required string Channel { get; set; }
    public DateTimeOffset SentAt { get; set; }
    /// <summary>The provider's message id (SNS MessageId, SMTP Message-Id), or why nothing was sent ("skipped: …").</summary>
    public string? Result { get; set; }
}
