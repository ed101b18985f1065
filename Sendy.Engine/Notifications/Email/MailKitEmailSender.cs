using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Sendy.Engine.Notifications.Email;

/// <summary>
/// <see cref="IEmailSender"/> over SMTP with MailKit. One connection per message: SmtpClient is not
/// thread-safe, jobs send in parallel, and one email per status change does not need pooling.
/// </summary>
public sealed class MailKitEmailSender : IEmailSender
{
    public const string IdempotencyHeader = "X-Sendy-Idempotency-Key";

    private readonly SmtpOptions _options;
    private readonly ILogger _logger;

    public MailKitEmailSender(IOptions<SmtpOptions> options, ILogger<MailKitEmailSender>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger ?? NullLogger<MailKitEmailSender>.Instance;
    }

    public async Task<string> SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.IdempotencyKey);
        MimeMessage mime = Build(message, _options);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var smtp = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        try
        {
            await smtp.ConnectAsync(_options.Host, _options.Port, ToMailKit(_options.TlsMode), timeout.Token).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(_options.User))
            {
                await smtp.AuthenticateAsync(_options.User, _options.Password ?? string.Empty, timeout.Token).ConfigureAwait(false);
            }

            await smtp.SendAsync(mime, timeout.Token).ConfigureAwait(false);
            await smtp.DisconnectAsync(true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } error)
        {
            NotificationsLog.SmtpSendFailed(_logger, _options.Host, _options.Port, error.IsTransient ? "transient" : "rejected", error.Message);
            throw error;
        }

        string messageId = mime.MessageId!; // set by Build
        NotificationsLog.SmtpSent(_logger, messageId, _options.Host, _options.Port);
        return messageId;
    }

    /// <summary>The MIME message, with a Message-Id derived from the idempotency key and the sender's domain.</summary>
    public static MimeMessage Build(EmailMessage message, SmtpOptions options)
    {
        var mime = new MimeMessage();
        var from = new MailboxAddress(options.FromName ?? string.Empty, options.From);
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(message.ToName ?? string.Empty, message.To));
        mime.Subject = message.Subject;
        mime.MessageId = MessageIdFor(message.IdempotencyKey, from.Domain);
        mime.Headers.Add(IdempotencyHeader, message.IdempotencyKey);
        mime.Body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody }.ToMessageBody();
        return mime;
    }

    /// <summary>"{first 32 hex of SHA-256(key)}@{domain}": stable per key, reveals nothing of it, valid in any header.</summary>
    public static string MessageIdFor(string idempotencyKey, string domain)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];
        return $"{hash}@{(string.IsNullOrEmpty(domain) ? "sendy.local" : domain)}";
    }

    private static SecureSocketOptions ToMailKit(SmtpTlsMode mode) => mode switch
    {
        SmtpTlsMode.None => SecureSocketOptions.None,
        SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    /// <summary>Transient: the server was unreachable, slow, or said 4xx. Rejected: 5xx, bad credentials, TLS refused. Null: not ours (caller cancelled).</summary>
    private NotificationException? Classify(Exception e, CancellationToken cancellationToken)
    {
        string where = $"SMTP {_options.Host}:{_options.Port}";
        return e switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => null,
            OperationCanceledException or TimeoutException => new NotificationTransientException($"{where}: timed out after {_options.Timeout}.", "Timeout", e),
            SmtpCommandException c when (int)c.StatusCode is >= 400 and < 500
                => new NotificationTransientException($"{where}: {(int)c.StatusCode} {c.Message}", ((int)c.StatusCode).ToString(), e),
            SmtpCommandException c
                => new NotificationRejectedException($"{where}: {(int)c.StatusCode} {c.Message} ({c.ErrorCode})", ((int)c.StatusCode).ToString(), e),
            AuthenticationException => new NotificationRejectedException($"{where}: authentication failed: {e.Message}", "AuthenticationFailed", e),
            SslHandshakeException => new NotificationRejectedException($"{where}: TLS handshake failed: {e.Message}", "TlsFailed", e),
            SocketException s => new NotificationTransientException($"{where}: {s.SocketErrorCode}: {s.Message}", s.SocketErrorCode.ToString(), e),
            SmtpProtocolException or ServiceNotConnectedException or IOException
                => new NotificationTransientException($"{where}: {e.GetType().Name}: {e.Message}", "ConnectionLost", e),
            _ => null,
        };
    }
}
