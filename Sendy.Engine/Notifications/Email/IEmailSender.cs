namespace Sendy.Engine.Notifications.Email;

/// <summary>One email to one person. <paramref name="IdempotencyKey"/> is stable per logical message (e.g. "status-event:{id}:email").</summary>
public sealed record EmailMessage(
    string To,
    string? ToName,
    string Subject,
    string HtmlBody,
    string TextBody,
    string IdempotencyKey);

/// <summary>
/// Sends email. The same idempotency key always yields the same Message-Id header, so a retried
/// send that already went through is detectable downstream. Failures are
/// <see cref="NotificationTransientException"/> (retry) or <see cref="NotificationRejectedException"/> (dead-letter).
/// </summary>
public interface IEmailSender
{
    /// <summary>Returns the Message-Id used (without angle brackets).</summary>
    Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
