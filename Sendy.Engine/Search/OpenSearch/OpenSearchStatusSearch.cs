using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary><see cref="IStatusEventSearch"/>: a bool filter query with from/size paging, total counted exactly.</summary>
public sealed class OpenSearchStatusSearch(OpenSearchClient client) : IStatusEventSearch
{
    /// <summary>OpenSearch's default index.max_result_window: from + size beyond it is refused.</summary>
    public const int MaxResultWindow = 10_000;

    public async Task<SearchPage<StatusEventDocument>> SearchAsync(StatusEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // ignore_unavailable: before the first event is indexed the index does not exist; that is an empty log, not an error.
        string path = $"/{Uri.EscapeDataString(client.Options.StatusEventsIndex)}/_search?ignore_unavailable=true";
        using JsonDocument answer = await client.SendAsync(HttpMethod.Post, path, JsonContent.Create(Body(query)), cancellationToken, readOnly: true).ConfigureAwait(false);

        JsonElement hits = answer.RootElement.GetProperty("hits"u8);
        long total = hits.TryGetProperty("total"u8, out JsonElement t)
            ? t.ValueKind == JsonValueKind.Number ? t.GetInt64() : t.GetProperty("value"u8).GetInt64()
            : 0;
        var documents = new List<StatusEventDocument>();
        foreach (JsonElement hit in hits.GetProperty("hits"u8).EnumerateArray())
        {
            documents.Add(hit.GetProperty("_source"u8).Deserialize<StatusEventDocument>(BulkDocument.Json)!);
        }

        return new SearchPage<StatusEventDocument>(documents, total);
    }

    /// <summary>The request body; public so contract tests can check what is asked.</summary>
    public static JsonObject Body(StatusEventQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.From);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Size, 1);
        if (query.From + query.Size > MaxResultWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(query), $"from + size must not exceed {MaxResultWindow}; narrow the filters instead.");
        }

        var filters = new JsonArray();
        AddTerm(filters, "delivery_id", query.DeliveryId);
        AddTerm(filters, "truck_id", query.TruckId);
        AddTerm(filters, "status", query.Status);
        if (query.FromTime is not null || query.ToTime is not null)
        {
            var range = new JsonObject();
            if (query.FromTime is { } from)
            {
                range["gte"] = from.ToUniversalTime().ToString("O");
            }

            if (query.ToTime is { } to)
            {
                range["lt"] = to.ToUniversalTime().ToString("O");
            }

            filters.Add(new JsonObject { ["range"] = new JsonObject { ["occurred_at"] = range } });
        }

        string order = query.NewestFirst ? "desc" : "asc";
        return new JsonObject
        {
            ["query"] = new JsonObject { ["bool"] = new JsonObject { ["filter"] = filters } },
            // event_id breaks ties between events of the same instant, so pages never overlap.
            ["sort"] = new JsonArray(
                new JsonObject { ["occurred_at"] = new JsonObject { ["order"] = order } },
                new JsonObject { ["event_id"] = new JsonObject { ["order"] = order } }),
            ["from"] = query.From,
            ["size"] = query.Size,
            ["track_total_hits"] = true,
        };
    }

    private static void AddTerm(JsonArray filters, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            filters.Add(new JsonObject { ["term"] = new JsonObject { [field] = value } });
        }
    }
}
