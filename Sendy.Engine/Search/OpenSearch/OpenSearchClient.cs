using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary>
/// The REST transport: sends a request, returns the JSON answer of a 2xx, and maps everything else to
/// <see cref="SearchTransientException"/> (unreachable, timeout, 429, 5xx) or <see cref="SearchRejectedException"/>.
/// Authentication (basic or SigV4) is the HttpClient's handlers' business. Operations live in
/// <see cref="OpenSearchBulkIndexer"/>, <see cref="OpenSearchIndexSetup"/> and <see cref="OpenSearchStatusSearch"/>.
/// </summary>
public sealed class OpenSearchClient
{
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public OpenSearchClient(HttpClient http, IOptions<OpenSearchOptions> options, ILogger<OpenSearchClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        Options = options.Value;
        if (_http.BaseAddress is null && Uri.TryCreate(Options.Url, UriKind.Absolute, out Uri? url))
        {
            _http.BaseAddress = url;
        }

        _logger = logger ?? NullLogger<OpenSearchClient>.Instance;
    }

    public OpenSearchOptions Options { get; }

    /// <summary>
    /// Sends and parses the answer. <paramref name="content"/> carries its own Content-Type.
    /// <paramref name="readOnly"/> marks a POST that only reads (a search), so a transient failure may repeat it.
    /// </summary>
    public async Task<JsonDocument> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, CancellationToken cancellationToken,
        bool readOnly = false)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        if (readOnly)
        {
            request.MarkIdempotent();
        }

        string path = pathAndQuery.Split('?')[0];
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                SearchException error = FromResponse(method.Method, path, response.StatusCode, body);
                OpenSearchLog.RequestFailed(_logger, method.Method, path, error.ErrorType, error.Message);
                throw error;
            }

            return JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(method.Method, path, e);
        }
        catch (IOException e)
        {
            throw Unavailable(method.Method, path, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(method.Method, path, e);
        }
        catch (JsonException e)
        {
            throw new SearchTransientException($"OpenSearch {method.Method} {path}: unreadable answer: {e.Message}", "InvalidResponse", e);
        }
    }

    /// <summary>Error type and reason from {"error":{"type","reason"}} (or a plain-text body), classified by status.</summary>
    public static SearchException FromResponse(string method, string path, HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        (string? type, string? reason) = ReadError(body);
        int code = (int)status;
        string text = $"OpenSearch {method} {path}: HTTP {code} {type ?? ""}: {reason ?? "(no reason)"}";
        return code == 429 || code >= 500 || IsRetryableType(type)
            ? new SearchTransientException(text, type ?? $"Http{code}")
            : new SearchRejectedException(text, type ?? $"Http{code}");
    }

    /// <summary>The thread-pool-full family: Elasticsearch 6/7 and OpenSearch spell it differently.</summary>
    public static bool IsRetryableType(string? type) =>
        type is "es_rejected_execution_exception" or "rejected_execution_exception" or "opensearch_rejected_execution_exception"
            or "circuit_breaking_exception";

    internal static (string? Type, string? Reason) ReadError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body.ToArray());
            return ReadError(document.RootElement);
        }
        catch (JsonException)
        {
            // Amazon OpenSearch's gateway answers 403 with {"message": …}; others plain text.
            string text = System.Text.Encoding.UTF8.GetString(body);
            return (null, text.Length > 300 ? text[..300] : text);
        }
    }

    internal static (string? Type, string? Reason) ReadError(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        if (root.TryGetProperty("error"u8, out JsonElement error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return (null, error.GetString());
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (
                    error.TryGetProperty("type"u8, out JsonElement t) ? t.GetString() : null,
                    error.TryGetProperty("reason"u8, out JsonElement r) ? r.GetString() : null);
            }
        }

        return (null, root.TryGetProperty("message"u8, out JsonElement m) || root.TryGetProperty("Message"u8, out m) ? m.GetString() : null);
    }

    private SearchTransientException Unavailable(string method, string path, Exception e)
    {
        var error = new SearchTransientException($"OpenSearch {method} {path}: {_http.BaseAddress} unreachable: {e.Message}", "Unavailable", e);
        OpenSearchLog.RequestFailed(_logger, method, path, error.ErrorType, error.Message);
        return error;
    }
}
