using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary>
/// <see cref="IBulkIndexer"/> over _bulk: NDJSON ("index" action line + source line, each ending in
/// '\n', the body included), cut at <see cref="OpenSearchOptions.BulkMaxBytes"/>. Items refused with
/// 429/503 or a rejected-execution error are sent again, alone, after a jittered doubling backoff,
/// until <see cref="OpenSearchOptions.BulkMaxAttempts"/> rounds are spent.
/// </summary>
public sealed class OpenSearchBulkIndexer : IBulkIndexer
{
    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson");

    private readonly OpenSearchClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OpenSearchBulkIndexer(OpenSearchClient client, TimeProvider time, ILogger<OpenSearchBulkIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
        _logger = logger ?? NullLogger<OpenSearchBulkIndexer>.Instance;
    }

    public async Task<BulkIndexResult> IndexAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        OpenSearchOptions options = _client.Options;
        int indexed = 0;
        var rejected = new List<BulkItemFailure>();
        IReadOnlyList<BulkDocument> pending = documents;
        List<BulkItemFailure> retryable = [];
        var backoff = new Backoff(options.BulkRetryBaseDelay, options.BulkRetryMaxDelay);

        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            retryable = [];
            foreach (IReadOnlyList<BulkDocument> chunk in Chunks(pending, options.BulkMaxBytes))
            {
                (int ok, List<BulkItemFailure> again, List<BulkItemFailure> refused) = await SendChunkAsync(chunk, cancellationToken).ConfigureAwait(false);
                indexed += ok;
                retryable.AddRange(again);
                rejected.AddRange(refused);
            }

            if (retryable.Count == 0 || attempt >= options.BulkMaxAttempts)
            {
                break;
            }

            TimeSpan delay = backoff.Next();
            OpenSearchLog.BulkRetrying(_logger, retryable.Count, documents.Count, retryable[0].ErrorType, attempt + 1, options.BulkMaxAttempts, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            pending = retryable.ConvertAll(f => f.Document);
        }

        if (rejected.Count > 0 || retryable.Count > 0)
        {
            OpenSearchLog.BulkIncomplete(_logger, rejected.Count, retryable.Count, options.BulkMaxAttempts);
        }

        return new BulkIndexResult(indexed, rejected, retryable);
    }

    /// <summary>The NDJSON body for <paramref name="documents"/>: action line, source line, each '\n'-terminated.</summary>
    public static byte[] NdJsonBody(IReadOnlyList<BulkDocument> documents)
    {
        var buffer = new ArrayBufferWriter<byte>(documents.Count * 256);
        foreach (BulkDocument document in documents)
        {
            WriteItem(buffer, document);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task<(int Indexed, List<BulkItemFailure> Retryable, List<BulkItemFailure> Rejected)> SendChunkAsync(
        IReadOnlyList<BulkDocument> chunk, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(NdJsonBody(chunk));
        content.Headers.ContentType = NdJson;
        using JsonDocument answer = await _client.SendAsync(HttpMethod.Post, "/_bulk", content, cancellationToken).ConfigureAwait(false);

        var retryable = new List<BulkItemFailure>();
        var rejected = new List<BulkItemFailure>();
        JsonElement root = answer.RootElement;
        if (!root.TryGetProperty("items"u8, out JsonElement items) || items.GetArrayLength() != chunk.Count)
        {
            // Without one answer per item we cannot tell what landed; the whole chunk is safe to resend (ids are stable).
            throw new SearchTransientException($"OpenSearch _bulk: expected {chunk.Count} item results, got {(items.ValueKind == JsonValueKind.Array ? items.GetArrayLength() : 0)}.", "InvalidResponse");
        }

        // Fast path: "errors": false means every item succeeded.
        if (root.TryGetProperty("errors"u8, out JsonElement errors) && errors.ValueKind == JsonValueKind.False)
        {
            return (chunk.Count, retryable, rejected);
        }

        int indexed = 0;
        int i = 0;
        foreach (JsonElement item in items.EnumerateArray())
        {
            BulkDocument document = chunk[i++];
            // Each item is {"<action>": {status, error?}}; the action is whatever we sent ("index").
            JsonElement result = item.EnumerateObject().First().Value;
            int status = result.TryGetProperty("status"u8, out JsonElement s) ? s.GetInt32() : 0;
            if (status is >= 200 and < 300)
            {
                indexed++;
                continue;
            }

            (string? type, string? reason) = OpenSearchClient.ReadError(result);
            var failure = new BulkItemFailure(document, status, type, reason);
            if (status is 429 or 503 || OpenSearchClient.IsRetryableType(type))
            {
                retryable.Add(failure);
            }
            else
            {
                rejected.Add(failure);
            }
        }

        return (indexed, retryable, rejected);
    }

    private static void WriteItem(IBufferWriter<byte> buffer, BulkDocument document)
    {
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("index"u8);
            writer.WriteString("_index"u8, document.Index);
            writer.WriteString("_id"u8, document.Id);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        // The source must be one line: re-write it compactly in case the caller's JSON was indented.
        using (var writer = new Utf8JsonWriter(buffer))
        {
            using JsonDocument source = JsonDocument.Parse(document.SourceJson);
            source.RootElement.WriteTo(writer);
        }

        buffer.Write("\n"u8);
    }

    private static IEnumerable<IReadOnlyList<BulkDocument>> Chunks(IReadOnlyList<BulkDocument> documents, int maxBytes)
    {
        var chunk = new List<BulkDocument>();
        long size = 0;
        foreach (BulkDocument document in documents)
        {
            long itemSize = document.SourceJson.Length + document.Index.Length + document.Id.Length + 40;
            if (chunk.Count > 0 && size + itemSize > maxBytes)
            {
                yield return chunk;
                chunk = [];
                size = 0;
            }

            chunk.Add(document);
            size += itemSize;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
