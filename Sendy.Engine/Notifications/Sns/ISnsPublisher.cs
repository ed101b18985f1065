namespace Sendy.Engine.Notifications.Sns;

/// <summary>
/// Publishing to SNS, as the notification jobs need it. Failures are <see cref="NotificationTransientException"/>
/// (retry) or <see cref="NotificationRejectedException"/> (dead-letter). Shaped so AWSSDK.SimpleNotificationService
/// could implement it.
/// </summary>
public interface ISnsPublisher
{
    /// <summary>Publishes to a topic with String message attributes (at most 10); returns SNS's message id.</summary>
    /// <param name="subject">Email subscribers' subject line; SNS wants it ASCII, under 100 characters, no line breaks.</param>
    Task<string> PublishToTopicAsync(
        string topicArn,
        string? subject,
        string message,
        IReadOnlyDictionary<string, string> attributes,
        CancellationToken cancellationToken);

    /// <summary>Sends a transactional SMS to an E.164 number ("+821012345678"); returns SNS's message id.</summary>
    Task<string> SendSmsAsync(string phoneNumberE164, string message, CancellationToken cancellationToken);
}

/// <summary>Topic set-up for local runs and tests. In AWS topics and subscriptions are provisioned outside the app.</summary>
public interface ISnsTopicAdmin
{
    /// <summary>Creates the topic, or returns the existing one's ARN (CreateTopic is idempotent).</summary>
    Task<string> CreateTopicAsync(string name, CancellationToken cancellationToken);

    /// <summary>Subscribes an endpoint ("sqs" + queue ARN, "email" + address, ...); returns the subscription ARN.</summary>
    Task<string> SubscribeAsync(string topicArn, string protocol, string endpoint, CancellationToken cancellationToken);
}
