using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Notifications.Sns;

/// <summary>
/// The SNS Query protocol: POST / with a form-urlencoded body (Action, Version, parameters),
/// signed by the HttpClient's SigV4 handler (service "sns"), XML answers. Maps transport failures
/// and &lt;ErrorResponse&gt; answers to the notification exceptions. The operations live in
/// <see cref="SnsPublisher"/> and <see cref="SnsTopicAdmin"/>.
/// </summary>
public sealed class SnsQueryClient
{
    public const string ApiVersion = "2010-03-31";

    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public SnsQueryClient(HttpClient http, IOptions<SnsOptions> options, ILogger<SnsQueryClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        Options = options.Value;
        _http.BaseAddress ??= Options.ResolveEndpoint();
        _logger = logger ?? NullLogger<SnsQueryClient>.Instance;
    }

    public SnsOptions Options { get; }

    /// <summary>Sends one action; returns the "{Action}Result" element of the answer (namespace-free lookups via <see cref="Child"/>).</summary>
    public async Task<XElement> SendAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(FormBody(action, parameters))),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        // Repeated, these answer the same ARN; Publish is not repeated here (the notification job's retry owns it).
        if (action is "CreateTopic" or "Subscribe")
        {
            request.MarkIdempotent();
        }

        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                NotificationException error = SnsErrors.FromResponse(action, response.StatusCode, body);
                NotificationsLog.SnsRequestFailed(_logger, action, error.ErrorCode, error.Message);
                throw error;
            }

            XElement root = XElement.Parse(body);
            return Child(root, action + "Result")
                ?? throw new NotificationTransientException($"SNS {action}: answer without {action}Result.", "InvalidResponse");
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(action, e);
        }
        catch (IOException e)
        {
            throw Unavailable(action, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout, not the caller, cancelled the request.
            throw Unavailable(action, e);
        }
        catch (XmlException e)
        {
            // A proxy's HTML error page or a cut-off answer: the publish may or may not have happened, retrying is the safe side.
            throw new NotificationTransientException($"SNS {action}: unreadable answer: {e.Message}", "InvalidResponse", e);
        }
    }

    /// <summary>"Action=…&amp;Version=…&amp;name=value…", every part RFC 3986-encoded (what AWS's Query protocol expects).</summary>
    public static string FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var sb = new StringBuilder(256);
        sb.Append("Action=").Append(SigV4Signer.UriEncode(action)).Append("&Version=").Append(ApiVersion);
        foreach ((string name, string value) in parameters)
        {
            sb.Append('&').Append(SigV4Signer.UriEncode(name)).Append('=').Append(SigV4Signer.UriEncode(value));
        }

        return sb.ToString();
    }

    /// <summary>First child with this local name, whatever the namespace (AWS answers carry one, emulators vary).</summary>
    public static XElement? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    public static string RequiredValue(XElement result, string localName, string action) =>
        Child(result, localName)?.Value is { Length: > 0 } value
            ? value
            : throw new NotificationTransientException($"SNS {action}: answer without {localName}.", "InvalidResponse");

    private NotificationTransientException Unavailable(string action, Exception e)
    {
        var error = new NotificationTransientException($"SNS {action}: {_http.BaseAddress} unreachable: {e.Message}", "Unavailable", e);
        NotificationsLog.SnsRequestFailed(_logger, action, error.ErrorCode, error.Message);
        return error;
    }
}

/// <summary>Turns an SNS &lt;ErrorResponse&gt; into a transient or rejected notification exception.</summary>
public static class SnsErrors
{
    // Codes AWS documents as throttling or server-side trouble; everything else is about the request itself.
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "Throttled", "ThrottledException", "RequestLimitExceeded",
        "KMSThrottling", "KMSThrottlingException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    };

    public static NotificationException FromResponse(string action, HttpStatusCode status, string body)
    {
        (string? code, string? message) = ReadError(body);
        int http = (int)status;
        string text = code is null
            ? $"SNS {action}: HTTP {http} without an error code{ErrorBody.Excerpt(body)}."
            : $"SNS {action}: {code}: {message ?? "(no message)"}";
        code ??= $"Http{http}";

        bool transient = TransientCodes.Contains(code) || http >= 500 || status == HttpStatusCode.TooManyRequests;
        return transient
            ? new NotificationTransientException(text, code)
            : new NotificationRejectedException(text, code);
    }

    /// <summary>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;; (null, null) when the body is not that.</summary>
    public static (string? Code, string? Message) ReadError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            XElement root = XElement.Parse(body);
            XElement? error = root.Name.LocalName == "Error" ? root : SnsQueryClient.Child(root, "Error");
            if (error is null)
            {
                return (null, null);
            }

            string? code = SnsQueryClient.Child(error, "Code")?.Value;
            return (string.IsNullOrWhiteSpace(code) ? null : code.Trim(), SnsQueryClient.Child(error, "Message")?.Value);
        }
        catch (XmlException)
        {
            return (null, null);
        }
    }
}
