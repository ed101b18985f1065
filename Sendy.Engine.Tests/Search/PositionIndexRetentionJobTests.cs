using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Search.OpenSearch;

namespace Sendy.Engine.Tests.Search;

/// <summary>
/// The retention of the monthly position indices, against the fake cluster answering _cat/indices
/// and DELETE as OpenSearch does: what is deleted, what is kept, what is never touched.
/// </summary>
public sealed class PositionIndexRetentionJobTests : IAsyncLifetime
{
    private const string Prefix = "sendy-positions-";

    private readonly RecordingLoggerFactory _logs = new();
    private readonly PositionIndexRetentionJob.ForeignIndices _foreign = new();
    private FakeOpenSearchServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenSearchServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private PositionIndexRetentionJob Job(TimeProvider time, bool enabled = true, TimeSpan? retention = null) => new(
        new OpenSearchIndexAdmin(_server.Client()),
        new StaticOptionsMonitor<OpenSearchOptions>(new OpenSearchOptions
        {
            Enabled = enabled,
            Url = _server.Url.ToString(),
            PositionsRetention = retention ?? TimeSpan.FromDays(180),
        }),
        _foreign, time, _logs.CreateLogger<PositionIndexRetentionJob>());

    private string[] Requests() => [.. _server.Received.Select(r => r.Method + " " + r.PathAndQuery)];

    [Fact]
    public async Task indices_whose_whole_month_is_past_retention_are_deleted_and_the_others_kept()
    {
        // 2026-08-15 - 180 days = 2026-02-16: January ended before it, February has not.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        _server.WithIndices(Prefix + "2025.06", Prefix + "2025.12", Prefix + "2026.01", Prefix + "2026.02", Prefix + "2026.08", Prefix + "2026.09",
            "sendy-status-events");

        var outcome = await Job(time).RunAsync(default);

        Assert.Equal([Prefix + "2025.06", Prefix + "2025.12", Prefix + "2026.01"], outcome.Deleted);
        Assert.Equal([Prefix + "2026.02", Prefix + "2026.08", Prefix + "2026.09"], outcome.Kept);
        Assert.Empty(outcome.Foreign);
        Assert.Equal([Prefix + "2026.02", Prefix + "2026.08", Prefix + "2026.09", "sendy-status-events"], _server.Indices);
        Assert.Equal(
        [
            "GET /_cat/indices/sendy-positions-*?format=json&h=index&expand_wildcards=open,closed",
            "DELETE /sendy-positions-2025.06",
            "DELETE /sendy-positions-2025.12",
            "DELETE /sendy-positions-2026.01",
        ], Requests());
    }

    [Fact]
    public async Task a_month_is_deleted_when_its_end_is_exactly_retention_old_and_not_a_tick_before()
    {
        // January 2026 ends at 2026-02-01T00:00Z; 30 days later is 2026-03-03T00:00Z.
        var due = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(due - TimeSpan.FromTicks(1));
        _server.WithIndices(Prefix + "2026.01", Prefix + "2026.02", Prefix + "2026.03");
        var job = Job(time, retention: TimeSpan.FromDays(30));

        var early = await job.RunAsync(default);
        Assert.Empty(early.Deleted);
        Assert.Equal([Prefix + "2026.01", Prefix + "2026.02", Prefix + "2026.03"], early.Kept);
        Assert.DoesNotContain(_server.Received, r => r.Method == "DELETE");

        time.Advance(TimeSpan.FromTicks(1));
        var onTime = await job.RunAsync(default);
        Assert.Equal([Prefix + "2026.01"], onTime.Deleted);
        Assert.Equal([Prefix + "2026.02", Prefix + "2026.03"], _server.Indices);
    }

    [Fact]
    public async Task indices_not_named_prefix_and_year_dot_month_are_left_and_logged_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        string[] foreign =
        [
            Prefix + "2020.1", Prefix + "2020.13", Prefix + "2020.01-restored", Prefix + "test-ab12-2020.01", Prefix + "20200.01",
            Prefix + "2020-01",
        ];
        _server.WithIndices([Prefix + "2020.01", .. foreign]);

        var first = await Job(time).RunAsync(default);
        var second = await Job(time).RunAsync(default);

        Assert.Equal([Prefix + "2020.01"], first.Deleted);
        Assert.Equal(foreign.Order(StringComparer.Ordinal), first.Foreign);
        Assert.Equal(first.Foreign, second.Foreign);
        Assert.Empty(second.Deleted);
        Assert.Equal(foreign.Order(StringComparer.Ordinal), _server.Indices);
        Assert.Single(_server.Received, r => r.Method == "DELETE");
        Assert.All(foreign, name => Assert.Equal(1, _logs.Count("LogForeign", e => (string?)e["Index"] == name)));
    }

    [Fact]
    public async Task nothing_is_listed_or_deleted_while_opensearch_is_off()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        _server.WithIndices(Prefix + "2020.01");

        var outcome = await Job(time, enabled: false).RunAsync(default);

        Assert.Same(PositionIndexRetentionJob.Outcome.Off, outcome);
        Assert.Empty(_server.Received);
        Assert.Equal([Prefix + "2020.01"], _server.Indices);
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(403, false)]
    public async Task a_failing_delete_fails_the_run_naming_the_index_after_the_other_deletes(int status, bool transient)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        _server.WithIndices(Prefix + "2025.01", Prefix + "2025.02", Prefix + "2026.08")
            .FailDeleteOf(Prefix + "2025.01", status, $$"""{"error":{"type":"some_exception","reason":"refused by the test"},"status":{{status}}}""");

        var error = await Assert.ThrowsAnyAsync<SearchException>(() => Job(time).RunAsync(default));

        Assert.Equal(transient, error.IsTransient);
        Assert.Equal("some_exception", error.ErrorType);
        Assert.Contains("DELETE /" + Prefix + "2025.01", error.Message);
        Assert.Contains("refused by the test", error.Message);
        Assert.Equal([Prefix + "2025.01", Prefix + "2026.08"], _server.Indices); // the other one past retention went
        Assert.Equal(1, _logs.Count("LogDeleteFailed", e => (string?)e["Index"] == Prefix + "2025.01"));
    }

    [Fact]
    public async Task an_index_gone_between_list_and_delete_counts_as_deleted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        _server.WithIndices(Prefix + "2025.01").FailDeleteOf(Prefix + "2025.01", 404, FakeOpenSearchServer.IndexNotFound(Prefix + "2025.01"));

        var outcome = await Job(time).RunAsync(default);

        Assert.Equal([Prefix + "2025.01"], outcome.Deleted);
        Assert.Equal(1, _logs.Count("LogGone"));
        Assert.False(await new OpenSearchIndexAdmin(_server.Client()).DeleteIndexAsync(Prefix + "2024.12", default)); // never held
    }

    [Fact]
    public async Task no_position_index_yet_is_an_empty_list_and_a_list_error_fails_the_run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 9, 0, 0, TimeSpan.Zero));
        _server.WithIndices("sendy-status-events");
        var outcome = await Job(time).RunAsync(default);
        Assert.Empty(outcome.Deleted);
        Assert.Empty(outcome.Kept);
        Assert.Equal(["GET /_cat/indices/sendy-positions-*?format=json&h=index&expand_wildcards=open,closed"], Requests());

        _server.Then(503, """{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}""");
        var error = await Assert.ThrowsAsync<SearchTransientException>(() => Job(time).RunAsync(default));
        Assert.Equal("cluster_block_exception", error.ErrorType);
    }

    [Fact]
    public async Task deleting_by_pattern_is_refused_before_sending()
    {
        var admin = new OpenSearchIndexAdmin(_server.Client());
        await Assert.ThrowsAsync<ArgumentException>(() => admin.DeleteIndexAsync(Prefix + "*", default));
        await Assert.ThrowsAsync<ArgumentException>(() => admin.DeleteIndexAsync(Prefix + "2020.01," + Prefix + "2020.02", default));
        Assert.Empty(_server.Received);
    }

    [Theory]
    [InlineData("180.00:00:00", true, true)]
    [InlineData("1.00:00:00", true, true)]
    [InlineData("3650.00:00:00", true, true)]
    [InlineData("23:59:59", true, false)]
    [InlineData("3651.00:00:00", true, false)]
    [InlineData("00:00:00", false, true)] // nothing is validated while OpenSearch is off
    public void positions_retention_must_be_one_day_to_ten_years(string retention, bool enabled, bool valid)
    {
        var options = new OpenSearchOptions { Enabled = enabled, Url = "http://127.0.0.1:9200", PositionsRetention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new OpenSearchOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Sendy:OpenSearch:PositionsRetention must be between 1 day and 3650 days", result.FailureMessage);
        }
    }
}
