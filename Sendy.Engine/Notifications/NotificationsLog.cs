using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Notifications;

internal static partial class NotificationsLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "SNS {Action} failed: {ErrorCode} {Message}")]
    public static partial void SnsRequestFailed(ILogger logger, string action, string? errorCode, string message);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "SNS topic {TopicArn} is ready")]
    public static partial void SnsTopicReady(ILogger logger, string topicArn);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error,
        Message = "SNS topic created as {CreatedArn}, but Sendy:Sns:TopicArn is {ConfiguredArn}; publishing will use the configured one")]
    public static partial void SnsTopicArnMismatch(ILogger logger, string createdArn, string configuredArn);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "SMTP send to {Host}:{Port} failed ({Kind}): {Message}")]
    public static partial void SmtpSendFailed(ILogger logger, string host, int port, string kind, string message);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Debug, Message = "Email {MessageId} handed to {Host}:{Port}")]
    public static partial void SmtpSent(ILogger logger, string messageId, string host, int port);
}
