using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Search.OpenSearch;

namespace Sendy.Engine.Tests.Search;

/// <summary>The recurring export ships stored positions to OpenSearch in bulk from a watermark, each once.</summary>
public sealed class PositionExportJobTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private FakeOpenSearchServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenSearchServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Answers every _bulk with success for each action line it carried.</summary>
    private static (int, string) BulkOk(ReceivedRequest request)
    {
        var lines = request.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var items = lines.Where((_, i) => i % 2 == 0).Select(action =>
        {
            using var doc = JsonDocument.Parse(action);
            var id = doc.RootElement.GetProperty("index").GetProperty("_id").GetString();
            return $$$"""{"index":{"_index":"x","_id":"{{{id}}}","status":201}}""";
        });
        return (200, "{\"took\":1,\"errors\":false,\"items\":[" + string.Join(",", items) + "]}");
    }

    /// <summary>
    /// Each test starts from no positions and no watermark: the class's tests share one database,
    /// and whichever ran first would otherwise have moved the watermark past the other's rows (or
    /// left rows the other would count).
    /// </summary>
    private async Task StartCleanAsync()
    {
        await db.ExecuteAsync("DELETE FROM export_watermarks WHERE name = $1", PositionExportJob.WatermarkName);
        await db.ExecuteAsync("DELETE FROM positions");
    }

    private async Task InsertPositionsAsync(string truck, int count, TimeSpan storedAgo)
    {
        await db.AddTruckAsync(truck);
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            SELECT 'export-s', 'shard-1', $1 || lpad(g::text, 8, '0'), $1, now() - interval '1 hour' + g * interval '1 second', now(),
                   now() - $3::interval, ST_SetSRID(ST_MakePoint(127, 37), 4326)
            FROM generate_series(1, $2) g
            """, truck, count, storedAgo);
    }

    private PositionExportJob Job(int batchSize) => new(db.DataSource,
        new OpenSearchBulkIndexer(_server.Client(new OpenSearchOptions { BulkRetryBaseDelay = TimeSpan.FromMilliseconds(5) }), TimeProvider.System),
        new StaticOptionsMonitor<OpenSearchOptions>(new OpenSearchOptions { Enabled = true, Url = _server.Url.ToString() }),
        Options.Create(new PositionExportOptions { PositionExportBatchSize = batchSize, PositionExportLag = TimeSpan.FromSeconds(30) }),
        TimeProvider.System, NullLogger<PositionExportJob>.Instance);

    private int BulkDocuments() => _server.Received.Where(r => r.PathAndQuery.StartsWith("/_bulk", StringComparison.Ordinal))
        .Sum(r => r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length / 2);

    [Fact]
    public async Task positions_ship_in_bulk_batches_from_the_watermark_each_once()
    {
        await StartCleanAsync();
        var truck = "exp-" + Guid.NewGuid().ToString("N")[..6];
        await InsertPositionsAsync(truck, 25, TimeSpan.FromMinutes(5));
        for (var i = 0; i < 20; i++) _server.Then(BulkOk);

        var shipped = await Job(batchSize: 10).RunAsync(default);
        Assert.Equal(25, shipped);
        Assert.Equal(25, BulkDocuments());
        Assert.Equal(3, _server.Received.Count(r => r.PathAndQuery.StartsWith("/_bulk", StringComparison.Ordinal))); // 10 + 10 + 5, never one per position
        // Document ids are the storage key (truck + device time): stable across re-exports and stream re-creation.
        var ids = _server.Received.Where(r => r.PathAndQuery.StartsWith("/_bulk", StringComparison.Ordinal))
            .SelectMany(r => r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i % 2 == 0))
            .Select(a => JsonDocument.Parse(a).RootElement.GetProperty("index").GetProperty("_id").GetString()!).ToList();
        Assert.Equal(25, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches($"^{truck}:\\d{{8}}T\\d{{6}}\\.\\d{{6}}Z$", id));

        Assert.Equal(0, await Job(batchSize: 10).RunAsync(default)); // the watermark moved: nothing twice

        await InsertPositionsAsync(truck + "b", 4, TimeSpan.FromMinutes(1));
        await InsertPositionsAsync(truck + "c", 3, TimeSpan.Zero); // younger than the lag: waits for stragglers
        Assert.Equal(4, await Job(batchSize: 10).RunAsync(default));
        Assert.Equal(29, BulkDocuments());
    }

    [Fact]
    public async Task a_failed_bulk_leaves_the_watermark_so_the_next_run_resends()
    {
        await StartCleanAsync();
        var truck = "ret-" + Guid.NewGuid().ToString("N")[..6];
        await InsertPositionsAsync(truck, 5, TimeSpan.FromSeconds(45)); // older than the 30 s lag
        _server.Then(503, """{"error":"unavailable"}"""); // a whole-request 503: the run fails, the next run is the retry
        await Assert.ThrowsAnyAsync<Exception>(() => Job(batchSize: 100).RunAsync(default));

        while (_server.Received.TryDequeue(out _)) { }
        for (var i = 0; i < 5; i++) _server.Then(BulkOk);
        Assert.Equal(5, await Job(batchSize: 100).RunAsync(default));
    }
}
