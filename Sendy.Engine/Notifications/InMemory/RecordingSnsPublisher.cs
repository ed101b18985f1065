using System.Collections.Concurrent;
using Sendy.Engine.Notifications.Sns;

namespace Sendy.Engine.Notifications.InMemory;

/// <summary>A published topic message or SMS, as the recording adapter saw it.</summary>
public sealed record RecordedSnsMessage(
    string MessageId,
    string? TopicArn,
    string? PhoneNumber,
    string? Subject,
    string Message,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Test adapter of <see cref="ISnsPublisher"/>: records every publish in order. <see cref="FailNext"/>
/// queues exceptions (e.g. a transient one) to exercise callers' retry paths.
/// </summary>
public sealed class RecordingSnsPublisher : ISnsPublisher
{
    private readonly ConcurrentQueue<RecordedSnsMessage> _sent = new();
    private readonly ConcurrentQueue<Exception> _failures = new();

    public IReadOnlyList<RecordedSnsMessage> Sent => [.. _sent];

    /// <summary>The next publish throws <paramref name="error"/> instead of recording.</summary>
    public RecordingSnsPublisher FailNext(Exception error)
    {
        _failures.Enqueue(error);
        return this;
    }

    public Task<string> PublishToTopicAsync(string topicArn, string? subject, string message, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken) =>
        Record(new RecordedSnsMessage(NewId(), topicArn, null, subject, message, new Dictionary<string, string>(attributes)), cancellationToken);

    public Task<string> SendSmsAsync(string phoneNumberE164, string message, CancellationToken cancellationToken) =>
        Record(new RecordedSnsMessage(NewId(), null, phoneNumberE164, null, message,
            new Dictionary<string, string> { [SnsPublisher.SmsTypeAttribute] = "Transactional" }), cancellationToken);

    private Task<string> Record(RecordedSnsMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_failures.TryDequeue(out Exception? error))
        {
            return Task.FromException<string>(error);
        }

        _sent.Enqueue(message);
        return Task.FromResult(message.MessageId);
    }

    private static string NewId() => Guid.NewGuid().ToString();
}
