using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>
/// The Kinesis JSON 1.1 transport: POST / with X-Amz-Target "Kinesis_20131202.{Operation}",
/// signed by the HttpClient's SigV4 handler. Maps transport failures and error answers to the
/// stream's typed exceptions. The operations live in <see cref="KinesisStreamWriter"/>,
/// <see cref="KinesisShardReader"/> and <see cref="KinesisStreamAdmin"/>.
/// </summary>
public sealed class KinesisClient
{
    private const string ContentType = "application/x-amz-json-1.1";
    private const string TargetPrefix = "Kinesis_20131202.";

    /// <summary>
    /// Operations the HTTP pipeline may repeat on a transient failure (<see cref="HttpRetry"/>): they
    /// only read. GetRecords and GetShardIterator also only read, but the shard consumer's loop
    /// retries them with its backoff and a fresh iterator; PutRecords carries no key to dedupe on.
    /// </summary>
    private static readonly HashSet<string> ReadOnlyOperations = new(StringComparer.Ordinal)
    {
        "DescribeStreamSummary", "DescribeStream", "ListShards", "ListStreams",
    };

    private static readonly JsonElement EmptyAnswer = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public KinesisClient(HttpClient http, IOptions<KinesisOptions> options, ILogger<KinesisClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        Options = options.Value;
        _http.BaseAddress ??= Options.ResolveEndpoint();
        _logger = logger ?? NullLogger<KinesisClient>.Instance;
    }

    public KinesisOptions Options { get; }

    public string StreamName => Options.StreamName;

    /// <summary>
    /// Sends one operation. <paramref name="writeBody"/> writes the request object's properties;
    /// <paramref name="readResult"/> reads the answer's root object (the document is disposed after it returns).
    /// </summary>
    public async Task<TResult> SendAsync<TState, TResult>(
        string operation,
        TState state,
        Action<Utf8JsonWriter, TState> writeBody,
        Func<JsonElement, TState, TResult> readResult,
        CancellationToken cancellationToken,
        int bodySizeHint = 512)
    {
        using var buffer = new PooledBufferWriter(bodySizeHint);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writeBody(writer, state);
            writer.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        if (ReadOnlyOperations.Contains(operation))
        {
            request.MarkIdempotent();
        }

        request.Content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);

        try
        {
            using HttpResponseMessage response = await _http
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);

            if (!response.IsSuccessStatusCode)
            {
                byte[] errorBody = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                StreamException error = KinesisErrors.FromResponse(operation, response.StatusCode, errorBody);
                // Answers about the request itself (an old checkpoint, an expired iterator, a stream
                // that does not exist yet) are decisions for the caller, which logs them once at the
                // level they deserve; throttling, auth and server errors are worth a warning here.
                if (error.ErrorCode is { } code && CallerHandled.Contains(code))
                    KinesisLog.RequestRefused(_logger, operation, code, error.Message);
                else
                    KinesisLog.RequestFailed(_logger, operation, error.ErrorCode, error.Message);
                throw error;
            }

            // CreateStream (like other void operations) answers 200 with no body.
            if (response.Content.Headers.ContentLength == 0)
            {
                return readResult(EmptyAnswer, state);
            }

            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using JsonDocument document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return readResult(document.RootElement, state);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(operation, e);
        }
        catch (IOException e)
        {
            throw Unavailable(operation, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout, not the caller, cancelled the request.
            throw Unavailable(operation, e);
        }
        catch (JsonException e)
        {
            throw new StreamException($"{operation}: unreadable answer from the stream service: {e.Message}", "InvalidResponse", e);
        }
    }

    private static readonly HashSet<string> CallerHandled =
        ["InvalidArgumentException", "ExpiredIteratorException", "ResourceNotFoundException", "ResourceInUseException"];

    private StreamUnavailableException Unavailable(string operation, Exception e)
    {
        var error = new StreamUnavailableException($"{operation}: stream service at {_http.BaseAddress} unreachable: {e.Message}", e);
        KinesisLog.RequestFailed(_logger, operation, error.ErrorCode, error.Message);
        return error;
    }
}
