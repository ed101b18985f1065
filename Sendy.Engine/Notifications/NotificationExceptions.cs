namespace Sendy.Engine.Notifications;

/// <summary>
/// Base of every failure a notification adapter (SNS, SMTP) reports. Jobs decide by type:
/// <see cref="NotificationTransientException"/> is worth retrying, <see cref="NotificationRejectedException"/> is not.
/// </summary>
public abstract class NotificationException(string message, string? errorCode, Exception? inner)
    : Exception(message, inner)
{
    /// <summary>The service's error code (SNS "Code", SMTP status), when known.</summary>
    public string? ErrorCode { get; } = errorCode;

    public abstract bool IsTransient { get; }
}

/// <summary>Throttling, a 5xx/4xx-SMTP answer, a refused connection or a timeout: retry later with backoff.</summary>
public sealed class NotificationTransientException(string message, string? errorCode = null, Exception? inner = null)
    : NotificationException(message, errorCode, inner)
{
    public override bool IsTransient => true;
}

/// <summary>The service refused this message for good (unknown topic, bad number, 5xx SMTP): dead-letter it.</summary>
public sealed class NotificationRejectedException(string message, string? errorCode = null, Exception? inner = null)
    : NotificationException(message, errorCode, inner)
{
    public override bool IsTransient => false;
}
