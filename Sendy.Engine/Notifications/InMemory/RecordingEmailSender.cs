using System.Collections.Concurrent;
using Sendy.Engine.Notifications.Email;

namespace Sendy.Engine.Notifications.InMemory;

/// <summary>
/// Test adapter of <see cref="IEmailSender"/>: records every message; the Message-Id is derived from
/// the idempotency key exactly as the SMTP adapter does. <see cref="FailNext"/> queues exceptions.
/// </summary>
public sealed class RecordingEmailSender : IEmailSender
{
    private readonly ConcurrentQueue<EmailMessage> _sent = new();
    private readonly ConcurrentQueue<Exception> _failures = new();

    public IReadOnlyList<EmailMessage> Sent => [.. _sent];

    public RecordingEmailSender FailNext(Exception error)
    {
        _failures.Enqueue(error);
        return this;
    }

    public Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (_failures.TryDequeue(out Exception? error))
        {
            return Task.FromException<string>(error);
        }

        _sent.Enqueue(message);
        return Task.FromResult(MailKitEmailSender.MessageIdFor(message.IdempotencyKey, "sendy.local"));
    }
}
