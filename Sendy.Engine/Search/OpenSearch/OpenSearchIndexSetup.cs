using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary>
/// Composable index templates (PUT _index_template/{name}): one for the status events index, one for
/// the monthly position indices with a geo_point "location". A template applies when an index is
/// created, so bulk indexing can create indices on first write.
/// </summary>
public sealed class OpenSearchIndexSetup(OpenSearchClient client, ILogger<OpenSearchIndexSetup>? logger = null) : ISearchIndexSetup
{
    private readonly ILogger _logger = logger ?? NullLogger<OpenSearchIndexSetup>.Instance;

    public async Task PutIndexTemplatesAsync(CancellationToken cancellationToken)
    {
        OpenSearchOptions o = client.Options;
        // Template names follow the index names, so a differently configured deployment (or a test run)
        // never overwrites another's templates on a shared cluster.
        await PutAsync(o.StatusEventsIndex, StatusEventsTemplate(o.StatusEventsIndex), cancellationToken).ConfigureAwait(false);
        await PutAsync(o.PositionsIndexPrefix.TrimEnd('-', '.', '_'), PositionsTemplate(o.PositionsIndexPrefix), cancellationToken).ConfigureAwait(false);
    }

    public static JsonObject StatusEventsTemplate(string index) => new()
    {
        ["index_patterns"] = new JsonArray(index),
        ["priority"] = 100,
        ["template"] = new JsonObject
        {
            ["settings"] = new JsonObject { ["number_of_shards"] = 1 },
            ["mappings"] = new JsonObject
            {
                ["dynamic"] = "strict",
                ["properties"] = new JsonObject
                {
                    ["event_id"] = Keyword(),
                    ["delivery_id"] = Keyword(),
                    ["delivery_short_id"] = Keyword(),
                    ["truck_id"] = Keyword(),
                    ["status"] = Keyword(),
                    ["occurred_at"] = new JsonObject { ["type"] = "date" },
                    ["note"] = new JsonObject { ["type"] = "text" },
                    ["actor"] = Keyword(),
                },
            },
        },
    };

    public static JsonObject PositionsTemplate(string prefix) => new()
    {
        ["index_patterns"] = new JsonArray(prefix + "*"),
        ["priority"] = 100,
        ["template"] = new JsonObject
        {
            ["settings"] = new JsonObject { ["number_of_shards"] = 1 },
            ["mappings"] = new JsonObject
            {
                ["dynamic"] = "strict",
                ["properties"] = new JsonObject
                {
                    ["truck_id"] = Keyword(),
                    ["location"] = new JsonObject { ["type"] = "geo_point" },
                    ["device_time"] = new JsonObject { ["type"] = "date" },
                    ["received_at"] = new JsonObject { ["type"] = "date" },
                    ["speed_kmh"] = new JsonObject { ["type"] = "float" },
                    ["heading_deg"] = new JsonObject { ["type"] = "float" },
                    ["accuracy_m"] = new JsonObject { ["type"] = "float" },
                },
            },
        },
    };

    private async Task PutAsync(string name, JsonObject template, CancellationToken cancellationToken)
    {
        using var _ = await client.SendAsync(HttpMethod.Put, "/_index_template/" + name, JsonContent.Create(template), cancellationToken).ConfigureAwait(false);
        OpenSearchLog.TemplatePut(_logger, name);
    }

    private static JsonObject Keyword() => new() { ["type"] = "keyword" };
}
