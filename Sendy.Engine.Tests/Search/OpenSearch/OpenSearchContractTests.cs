using System.Text.Json;
using System.Text.Json.Nodes;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Tests.Search.OpenSearch;

/// <summary>The OpenSearch client against a local HTTP server answering like OpenSearch: what is sent, and what each answer leads to.</summary>
public sealed class OpenSearchContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 31, 23, 30, 0, TimeSpan.FromHours(-1)); // 2026-04-01 00:30 UTC

    private FakeOpenSearchServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenSearchServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OpenSearchBulkIndexer Indexer(int maxAttempts = 4, int maxBytes = 5 * 1024 * 1024) =>
        new(_server.Client(new OpenSearchOptions
        {
            BulkMaxAttempts = maxAttempts,
            BulkMaxBytes = maxBytes,
            BulkRetryBaseDelay = TimeSpan.FromMilliseconds(5),
            BulkRetryMaxDelay = TimeSpan.FromMilliseconds(20),
        }), TimeProvider.System);

    private static BulkDocument Event(string id) =>
        BulkDocument.Create("sendy-status-events", id, new StatusEventDocument(id, "del-1", "D-1", "truck-7", "InTransit", At, "note\nwith newline"));

    private static string Items(params (int Status, string? ErrorType)[] items)
    {
        var array = new JsonArray();
        bool errors = false;
        foreach ((int status, string? type) in items)
        {
            var result = new JsonObject { ["_index"] = "sendy-status-events", ["status"] = status };
            if (type is not null)
            {
                errors = true;
                result["error"] = new JsonObject { ["type"] = type, ["reason"] = "because " + type };
            }

            array.Add(new JsonObject { ["index"] = result });
        }

        return new JsonObject { ["took"] = 3, ["errors"] = errors, ["items"] = array }.ToJsonString();
    }

    [Fact]
    public async Task bulk_sends_ndjson_action_and_source_lines_with_a_trailing_newline()
    {
        _server.Then(200, Items((201, null), (201, null)));
        BulkDocument position = BulkDocument.Create(new OpenSearchOptions().PositionsIndexFor(At), "s-1:49590",
            new PositionDocument("truck-7", new GeoPoint(37.5665, 126.978), At, At.AddSeconds(2), SpeedKmh: 82.5));

        BulkIndexResult result = await Indexer().IndexAsync([Event("e-1"), position], default);

        Assert.True(result.AllIndexed);
        Assert.Equal(2, result.Indexed);
        ReceivedRequest sent = Assert.Single(_server.Received);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/_bulk", sent.PathAndQuery);
        Assert.Equal("application/x-ndjson", sent.ContentType);
        Assert.EndsWith("\n", sent.Body);
        string[] lines = sent.Body[..^1].Split('\n');
        Assert.Equal(4, lines.Length); // the note's newline is escaped inside its JSON string, not a line break
        Assert.Equal("""{"index":{"_index":"sendy-status-events","_id":"e-1"}}""", lines[0]);
        using (JsonDocument source = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal("del-1", source.RootElement.GetProperty("delivery_id").GetString());
            Assert.Equal("note\nwith newline", source.RootElement.GetProperty("note").GetString());
        }

        Assert.Equal("""{"index":{"_index":"sendy-positions-2026.04","_id":"s-1:49590"}}""", lines[2]);
        using JsonDocument pos = JsonDocument.Parse(lines[3]);
        Assert.Equal(37.5665, pos.RootElement.GetProperty("location").GetProperty("lat").GetDouble());
        Assert.Equal(126.978, pos.RootElement.GetProperty("location").GetProperty("lon").GetDouble());
        Assert.False(pos.RootElement.TryGetProperty("heading_deg", out _)); // nulls are left out
    }

    [Fact]
    public async Task items_refused_with_429_or_rejected_execution_are_resent_alone_until_indexed()
    {
        _server
            .Then(200, Items((201, null), (429, "es_rejected_execution_exception"), (503, "unavailable_shards_exception")))
            .Then(200, Items((201, null), (429, "rejected_execution_exception")))
            .Then(200, Items((200, null)));

        BulkIndexResult result = await Indexer().IndexAsync([Event("e-1"), Event("e-2"), Event("e-3")], default);

        Assert.True(result.AllIndexed);
        Assert.Equal(3, result.Indexed);
        ReceivedRequest[] sent = [.. _server.Received];
        Assert.Equal(3, sent.Length);
        Assert.Contains("\"_id\":\"e-2\"", sent[1].Body);
        Assert.Contains("\"_id\":\"e-3\"", sent[1].Body);
        Assert.DoesNotContain("\"_id\":\"e-1\"", sent[1].Body);
        Assert.Equal(2, sent[2].Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"_id\":\"e-3\"", sent[2].Body);
    }

    [Fact]
    public async Task non_retryable_item_errors_are_returned_for_dead_lettering_and_not_resent()
    {
        _server.Then(200, Items((201, null), (400, "mapper_parsing_exception"), (201, null)));

        BulkIndexResult result = await Indexer().IndexAsync([Event("e-1"), Event("e-2"), Event("e-3")], default);

        Assert.Equal(2, result.Indexed);
        BulkItemFailure failure = Assert.Single(result.Rejected);
        Assert.Equal("e-2", failure.Document.Id);
        Assert.Equal(400, failure.Status);
        Assert.Equal("mapper_parsing_exception", failure.ErrorType);
        Assert.Equal("because mapper_parsing_exception", failure.Reason);
        Assert.Empty(result.StillRetryable);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task items_still_refused_when_the_budget_is_spent_are_handed_back_as_still_retryable()
    {
        for (int i = 0; i < 3; i++)
        {
            _server.Then(200, Items((429, "es_rejected_execution_exception")));
        }

        BulkIndexResult result = await Indexer(maxAttempts: 3).IndexAsync([Event("e-1")], default);

        Assert.Equal(0, result.Indexed);
        Assert.Equal("e-1", Assert.Single(result.StillRetryable).Document.Id);
        Assert.Empty(result.Rejected);
        Assert.Equal(3, _server.Received.Count);
    }

    [Fact]
    public async Task a_large_batch_is_cut_into_several_bulk_requests()
    {
        _server.Then(r => (200, Items([.. Enumerable.Repeat<(int, string?)>((201, null), r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length / 2)])));
        _server.Then(r => (200, Items([.. Enumerable.Repeat<(int, string?)>((201, null), r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length / 2)])));

        BulkIndexResult result = await Indexer(maxBytes: 1024).IndexAsync([.. Enumerable.Range(0, 6).Select(i => Event("e-" + i))], default);

        Assert.Equal(6, result.Indexed);
        Assert.Equal(2, _server.Received.Count);
        Assert.All(_server.Received, r => Assert.True(r.Body.Length <= 1024 + 300));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    public async Task a_whole_request_failure_is_transient_or_rejected_by_status(int status, bool transient)
    {
        _server.Then(status, """{"error":{"type":"some_exception","reason":"nope"},"status":""" + status + "}");

        SearchException error = await Assert.ThrowsAnyAsync<SearchException>(() => Indexer().IndexAsync([Event("e-1")], default));

        Assert.Equal(transient, error.IsTransient);
        Assert.Equal("some_exception", error.ErrorType);
    }

    [Fact]
    public async Task a_cluster_that_is_down_is_transient()
    {
        Uri url = _server.Url;
        await _server.DisposeAsync();
        var http = new HttpClient { BaseAddress = url };
        var client = new OpenSearchClient(http, Microsoft.Extensions.Options.Options.Create(new OpenSearchOptions { Enabled = true, Url = url.ToString() }));

        var error = await Assert.ThrowsAsync<SearchTransientException>(() => new OpenSearchBulkIndexer(client, TimeProvider.System).IndexAsync([Event("e-1")], default));

        Assert.Equal("Unavailable", error.ErrorType);
        _server = await FakeOpenSearchServer.StartAsync(); // for DisposeAsync
    }

    [Fact]
    public async Task index_templates_map_status_events_and_monthly_positions_with_a_geo_point()
    {
        _server.Then(200, """{"acknowledged":true}""").Then(200, """{"acknowledged":true}""");

        await new OpenSearchIndexSetup(_server.Client()).PutIndexTemplatesAsync(default);

        ReceivedRequest[] sent = [.. _server.Received];
        Assert.Equal(["PUT /_index_template/sendy-status-events", "PUT /_index_template/sendy-positions"], sent.Select(r => r.Method + " " + r.PathAndQuery));
        JsonNode status = JsonNode.Parse(sent[0].Body)!;
        Assert.Equal("sendy-status-events", status["index_patterns"]![0]!.GetValue<string>());
        Assert.Equal("keyword", status["template"]!["mappings"]!["properties"]!["delivery_id"]!["type"]!.GetValue<string>());
        JsonNode positions = JsonNode.Parse(sent[1].Body)!;
        Assert.Equal("sendy-positions-*", positions["index_patterns"]![0]!.GetValue<string>());
        Assert.Equal("geo_point", positions["template"]!["mappings"]!["properties"]!["location"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task search_filters_sorts_pages_and_reads_hits_and_total()
    {
        _server.Then(200, """
            {"took":2,"hits":{"total":{"value":137,"relation":"eq"},"hits":[
              {"_index":"sendy-status-events","_id":"e-9","_source":{"event_id":"e-9","delivery_id":"del-1","delivery_short_id":"D-1","truck_id":"truck-7","status":"Delivered","occurred_at":"2026-04-01T00:30:00Z","actor":"driver"}}
            ]}}
            """);
        var query = new StatusEventQuery(DeliveryId: "del-1", TruckId: "truck-7", Status: "Delivered",
            FromTime: At.AddDays(-1), ToTime: At, NewestFirst: true, From: 20, Size: 10);

        SearchPage<StatusEventDocument> page = await new OpenSearchStatusSearch(_server.Client()).SearchAsync(query, default);

        Assert.Equal(137, page.Total);
        StatusEventDocument hit = Assert.Single(page.Hits);
        Assert.Equal(new StatusEventDocument("e-9", "del-1", "D-1", "truck-7", "Delivered", At, null, "driver"), hit);
        ReceivedRequest sent = Assert.Single(_server.Received);
        Assert.Equal("POST /sendy-status-events/_search?ignore_unavailable=true", sent.Method + " " + sent.PathAndQuery);
        JsonNode body = JsonNode.Parse(sent.Body)!;
        Assert.Equal(20, body["from"]!.GetValue<int>());
        Assert.Equal(10, body["size"]!.GetValue<int>());
        Assert.True(body["track_total_hits"]!.GetValue<bool>());
        JsonArray filters = body["query"]!["bool"]!["filter"]!.AsArray();
        Assert.Equal("del-1", filters[0]!["term"]!["delivery_id"]!.GetValue<string>());
        Assert.Equal("truck-7", filters[1]!["term"]!["truck_id"]!.GetValue<string>());
        Assert.Equal("Delivered", filters[2]!["term"]!["status"]!.GetValue<string>());
        Assert.Equal("2026-03-31T00:30:00.0000000+00:00", filters[3]!["range"]!["occurred_at"]!["gte"]!.GetValue<string>());
        Assert.Equal("2026-04-01T00:30:00.0000000+00:00", filters[3]!["range"]!["occurred_at"]!["lt"]!.GetValue<string>());
        Assert.Equal("desc", body["sort"]![0]!["occurred_at"]!["order"]!.GetValue<string>());
    }

    [Fact]
    public void paging_past_the_result_window_is_refused_before_sending()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenSearchStatusSearch.Body(new StatusEventQuery(From: 9_995, Size: 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenSearchStatusSearch.Body(new StatusEventQuery(Size: 0)));
    }
}
