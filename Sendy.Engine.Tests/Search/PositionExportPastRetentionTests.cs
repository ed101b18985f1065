using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Search.OpenSearch;

namespace Sendy.Engine.Tests.Search;

/// <summary>
/// The export does not bring back an index the retention deletes: positions whose month is past
/// Sendy:OpenSearch:PositionsRetention are passed over, and the watermark moves past them. A
/// database of its own, because the export's watermark is one per database.
/// </summary>
public sealed class PositionExportPastRetentionTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private FakeOpenSearchServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenSearchServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task InsertPositionsAsync(string truck, int count, TimeSpan recordedAgo)
    {
        await db.AddTruckAsync(truck);
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            SELECT 'export-s', 'shard-1', $1 || lpad(g::text, 8, '0'), $1, now() - $3::interval + g * interval '1 second', now(),
                   now() - interval '5 minutes', ST_SetSRID(ST_MakePoint(127, 37), 4326)
            FROM generate_series(1, $2) g
            """, truck, count, recordedAgo);
    }

    private PositionExportJob Job(int batchSize) => new(db.DataSource,
        new OpenSearchBulkIndexer(_server.Client(), TimeProvider.System),
        new StaticOptionsMonitor<OpenSearchOptions>(new OpenSearchOptions { Enabled = true, Url = _server.Url.ToString(), PositionsRetention = TimeSpan.FromDays(180) }),
        Options.Create(new PositionExportOptions { PositionExportBatchSize = batchSize }),
        TimeProvider.System, NullLogger<PositionExportJob>.Instance);

    private string[] BulkActions() => [.. _server.Received.Where(r => r.PathAndQuery == "/_bulk")
        .SelectMany(r => r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i % 2 == 0))];

    [Fact]
    public async Task positions_of_a_month_past_retention_are_passed_over_and_the_watermark_moves_past_them()
    {
        await InsertPositionsAsync("old-fixes", 12, TimeSpan.FromDays(400)); // their month ended more than 180 days ago
        await InsertPositionsAsync("new-fixes", 3, TimeSpan.FromHours(1));
        _server.Then(r => (200, "{\"took\":1,\"errors\":false,\"items\":["
            + string.Join(",", Enumerable.Repeat("""{"index":{"status":201}}""", r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length / 2)) + "]}"));

        // Batches of 5: the first two hold only old fixes and send nothing, yet the run goes on to the new ones.
        Assert.Equal(3, await Job(batchSize: 5).RunAsync(default));

        string[] actions = BulkActions();
        Assert.Equal(3, actions.Length);
        Assert.All(actions, a => Assert.Contains("\"_id\":\"new-fixes:", a));
        string newMonth = "sendy-positions-" + await db.ScalarAsync<string>(
            "SELECT max(to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY.MM')) FROM positions WHERE truck_id = 'new-fixes'");
        Assert.All(actions, a => Assert.Contains("\"_index\":\"" + newMonth + "\"", a));
        Assert.Single(_server.Received);

        Assert.Equal(0, await Job(batchSize: 5).RunAsync(default)); // the watermark is past the old fixes too
        Assert.Single(_server.Received);
    }
}
