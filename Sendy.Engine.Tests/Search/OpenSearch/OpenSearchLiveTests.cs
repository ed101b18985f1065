using Microsoft.Extensions.Options;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Search.OpenSearch;

/// <summary>The adapter against a real cluster (OPENSEARCH_URL), in a per-run index name so runs do not collide.</summary>
public sealed class OpenSearchLiveTests
{
    [LiveOpenSearchFact]
    public async Task templates_bulk_and_search_round_trip_on_a_real_cluster()
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var options = new OpenSearchOptions
        {
            Enabled = true,
            Url = LiveOpenSearchFactAttribute.Url,
            Username = Environment.GetEnvironmentVariable("OPENSEARCH_USERNAME"),
            Password = Environment.GetEnvironmentVariable("OPENSEARCH_PASSWORD"),
            StatusEventsIndex = $"sendy-status-events-test-{run}",
            PositionsIndexPrefix = $"sendy-positions-test-{run}-",
        };
        var http = new HttpClient { BaseAddress = new Uri(options.Url!) };
        if (options.Username is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }

        var client = new OpenSearchClient(http, Options.Create(options));
        await new OpenSearchIndexSetup(client).PutIndexTemplatesAsync(default);
        var at = DateTimeOffset.UtcNow;
        BulkIndexResult result = await new OpenSearchBulkIndexer(client, TimeProvider.System).IndexAsync(
        [
            BulkDocument.Create(options.StatusEventsIndex, "e-1", new StatusEventDocument("e-1", "del-" + run, "D-1", "truck-1", "PickedUp", at.AddMinutes(-5))),
            BulkDocument.Create(options.StatusEventsIndex, "e-2", new StatusEventDocument("e-2", "del-" + run, "D-1", "truck-1", "InTransit", at)),
            BulkDocument.Create(options.PositionsIndexFor(at), "p-1", new PositionDocument("truck-1", new GeoPoint(37.56, 126.97), at, at)),
        ], default);
        Assert.True(result.AllIndexed, $"rejected: {string.Join(", ", result.Rejected.Select(r => r.ErrorType + " " + r.Reason))}");

        var search = new OpenSearchStatusSearch(client);
        SearchPage<StatusEventDocument> page = await Eventually.ReachesAsync(
            () => search.SearchAsync(new StatusEventQuery(DeliveryId: "del-" + run), default), p => p.Total == 2, "indexed events visible", 30);
        Assert.Equal(["e-2", "e-1"], page.Hits.Select(h => h.EventId));
    }
}
