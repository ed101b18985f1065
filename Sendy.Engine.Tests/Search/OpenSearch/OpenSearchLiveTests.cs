using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Search.OpenSearch;

/// <summary>The adapter against a real cluster (OPENSEARCH_URL), in a per-run index name so runs do not collide.</summary>
public sealed class OpenSearchLiveTests
{
    private static OpenSearchOptions LiveOptions(string run) => new()
    {
        Enabled = true,
        Url = LiveOpenSearchFactAttribute.Url,
        Username = Environment.GetEnvironmentVariable("OPENSEARCH_USERNAME"),
        Password = Environment.GetEnvironmentVariable("OPENSEARCH_PASSWORD"),
        StatusEventsIndex = $"sendy-status-events-test-{run}",
        PositionsIndexPrefix = $"sendy-positions-test-{run}-",
    };

    private static OpenSearchClient LiveClient(OpenSearchOptions options)
    {
        var http = new HttpClient { BaseAddress = new Uri(options.Url!) };
        if (options.Username is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }

        return new OpenSearchClient(http, Options.Create(options));
    }

    [LiveOpenSearchFact]
    public async Task templates_bulk_and_search_round_trip_on_a_real_cluster()
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var options = LiveOptions(run);
        var client = LiveClient(options);
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

    [LiveOpenSearchFact]
    public async Task position_indices_past_retention_are_deleted_on_a_real_cluster()
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var options = LiveOptions(run);
        var client = LiveClient(options);
        var admin = new OpenSearchIndexAdmin(client);
        string old = options.PositionsIndexPrefix + "2020.01";
        string current = options.PositionsIndexFor(DateTimeOffset.UtcNow);
        string foreign = options.PositionsIndexPrefix + "restored-2020.01";
        try
        {
            foreach (string index in new[] { old, current, foreign })
            {
                using var _ = await client.SendAsync(HttpMethod.Put, "/" + index, null, default);
            }

            var job = new PositionIndexRetentionJob(admin, new StaticOptionsMonitor<OpenSearchOptions>(options), new PositionIndexRetentionJob.ForeignIndices(),
                TimeProvider.System, NullLogger<PositionIndexRetentionJob>.Instance);
            PositionIndexRetentionJob.Outcome outcome = await job.RunAsync(default);

            Assert.Equal([old], outcome.Deleted);
            Assert.Equal([current], outcome.Kept);
            Assert.Equal([foreign], outcome.Foreign);
            Assert.Equal(new[] { current, foreign }.Order(StringComparer.Ordinal), (await admin.ListIndicesAsync(options.PositionsIndexPrefix + "*", default)).Order(StringComparer.Ordinal));
            Assert.False(await admin.DeleteIndexAsync(old, default)); // gone: a 404 the adapter accepts
        }
        finally
        {
            foreach (string index in new[] { old, current, foreign })
            {
                await admin.DeleteIndexAsync(index, default);
            }
        }
    }
}
