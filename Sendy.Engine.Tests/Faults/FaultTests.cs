using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Faults;

/// <summary>
/// The console as a real process on servers of the test's own, under load from phone-like clients,
/// through SIGKILL, SIGTERM, a PostgreSQL outage and a stream outage. Nothing acknowledged is lost or
/// stored twice, and per truck the order holds.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivatePostgres _pg = null!;
    private PrivateKinesalite _kinesalite = null!;
    private readonly List<ConsoleProcess> _consoles = [];
    private readonly string _stream = "faults-" + Guid.NewGuid().ToString("N")[..6];

    public async Task InitializeAsync()
    {
        _pg = await PrivatePostgres.StartAsync();
        _kinesalite = await PrivateKinesalite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _consoles) await c.DisposeAsync();
        await _kinesalite.DisposeAsync();
        await _pg.DisposeAsync();
    }

    private async Task<ConsoleProcess> StartConsoleAsync(string workerId)
    {
        var console = new ConsoleProcess(_pg.ConnectionString, _kinesalite.Endpoint, _stream, workerId);
        _consoles.Add(console);
        await console.StartAsync();
        return console;
    }

    private async Task<Dictionary<string, string>> SeedTrucksAsync(int count)
    {
        var options = new DbContextOptionsBuilder<SendyDbContext>();
        SendyDatabase.Configure(options, _pg.ConnectionString);
        var fleet = new FleetRegistry(new PooledDbContextFactory<SendyDbContext>(options.Options), TestLinks.Create(), TimeProvider.System);
        var tokens = new Dictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var truck = $"F-{i:D2}";
            await fleet.EnsureTruckAsync(truck, truck, null, default);
            tokens[truck] = (await fleet.CreateDriverAsync("Driver " + i, truck, default)).Token;
        }
        return tokens;
    }

    /// <summary>Every acknowledged fix stored once; per truck, stored in device-time order.</summary>
    private async Task AssertAllAcknowledgedStoredOnceAsync(PhoneFleet fleet)
    {
        // Waits for these very fixes: a count of all positions also holds an earlier fleet's.
        var acknowledged = fleet.AcknowledgedCount;
        await Eventually.ReachesAsync(() => StoredAsync(fleet), n => n >= acknowledged,
            $"{acknowledged} acknowledged positions stored", timeoutSeconds: 60);
        foreach (var (truck, times) in fleet.Acknowledged)
            Assert.Equal(times.Count, (int)await StoredAsync(truck, times));
        Assert.Equal(await _pg.ScalarAsync<long>("SELECT count(*) FROM positions"),
            await _pg.ScalarAsync<long>("SELECT count(DISTINCT (truck_id, recorded_at)) FROM positions"));
        Assert.Equal(0L, await _pg.ScalarAsync<long>("""
            SELECT count(*) FROM (SELECT stored_at < lag(stored_at) OVER (PARTITION BY truck_id ORDER BY recorded_at) AS back
            FROM positions) x WHERE back
            """));
        output.WriteLine($"acknowledged {acknowledged}, stored {await _pg.ScalarAsync<long>("SELECT count(*) FROM positions")} " +
            $"(answers: {string.Join(", ", fleet.Answers.OrderBy(a => a.Key).Select(a => $"{(a.Key == 0 ? "no answer" : a.Key)}×{a.Value}"))})");
    }

    private async Task<long> StoredAsync(PhoneFleet fleet)
    {
        long stored = 0;
        foreach (var (truck, times) in fleet.Acknowledged) stored += await StoredAsync(truck, times);
        return stored;
    }

    private Task<long> StoredAsync(string truck, List<DateTimeOffset> times) => _pg.ScalarAsync<long>(
        "SELECT count(*) FROM positions WHERE truck_id = $1 AND recorded_at = ANY($2)", truck, times.Select(t => t.UtcDateTime).ToArray());

    /// <summary>
    /// Lets the load run until the fleet has <paramref name="atLeast"/> fixes acknowledged: an amount of
    /// work rather than a time, so a slow machine waits longer instead of testing less.
    /// </summary>
    private static Task<int> AcknowledgedAsync(PhoneFleet fleet, int atLeast, string what) =>
        Eventually.ReachesAsync(() => Task.FromResult(fleet.AcknowledgedCount), n => n >= atLeast, what, timeoutSeconds: 60);

    private Task<long> ConsumerStoringAsync(string what) =>
        Eventually.ReachesAsync(() => _pg.ScalarAsync<long>("SELECT count(*) FROM positions"), n => n > 0, what, timeoutSeconds: 60);

    [Fact]
    public async Task sigkill_under_load_loses_no_acknowledged_position_and_stores_none_twice()
    {
        var tokens = await SeedTrucksAsync(8);
        var console = await StartConsoleAsync("first");
        var current = console;
        var fleet = new PhoneFleet(() => current.BaseUrl, tokens);
        using var stop = new CancellationTokenSource();
        var load = fleet.RunAsync(stop.Token);

        await AcknowledgedAsync(fleet, 500, "load before the kill");
        await ConsumerStoringAsync("the consumer storing before the kill");
        await console.KillAsync(); // mid-load: batches in flight, leases held, nothing released
        var killedAt = fleet.AcknowledgedCount;
        current = await StartConsoleAsync("second");
        await AcknowledgedAsync(fleet, killedAt + 500, "the restarted console accepting fixes");
        await stop.CancelAsync();
        await load;

        await AssertAllAcknowledgedStoredOnceAsync(fleet);
    }

    [Fact]
    public async Task sigterm_finishes_in_flight_work_releases_leases_and_exits_in_time()
    {
        var tokens = await SeedTrucksAsync(4);
        var console = await StartConsoleAsync("graceful");
        var fleet = new PhoneFleet(() => console.BaseUrl, tokens);
        using var stop = new CancellationTokenSource();
        var load = fleet.RunAsync(stop.Token);
        await AcknowledgedAsync(fleet, 500, "load before SIGTERM");
        await ConsumerStoringAsync("the consumer storing before SIGTERM");
        await stop.CancelAsync();
        await load;

        var (took, code) = await console.TerminateAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"SIGTERM: exited with {code} after {took.TotalMilliseconds:F0} ms");
        Assert.Equal(0, code);
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM leases WHERE owner IS NOT NULL"));
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM workers"));

        await StartConsoleAsync("after"); // takes the released leases at once, from their checkpoints
        await AssertAllAcknowledgedStoredOnceAsync(fleet);
    }

    [Fact]
    public async Task postgres_restart_under_load_ingest_keeps_accepting_and_the_consumer_catches_up()
    {
        var tokens = await SeedTrucksAsync(6);
        var console = await StartConsoleAsync("pg");
        var fleet = new PhoneFleet(() => console.BaseUrl, tokens);
        using var stop = new CancellationTokenSource();
        var load = fleet.RunAsync(stop.Token);
        await AcknowledgedAsync(fleet, 300, "load before the PostgreSQL outage");
        await ConsumerStoringAsync("the consumer storing before the PostgreSQL outage");

        await _pg.StopServerAsync();
        var beforeOutage = fleet.AcknowledgedCount;
        using var http = new HttpClient();
        var ready = await Eventually.ReachesAsync(async () => (await http.GetAsync(console.BaseUrl + "/health/ready")).StatusCode,
            s => s == HttpStatusCode.ServiceUnavailable, "readiness unhealthy while PostgreSQL is down");
        // Ingest keeps accepting while PostgreSQL is down: the stream is the buffer.
        var duringOutage = await AcknowledgedAsync(fleet, beforeOutage + 200, "fixes accepted while PostgreSQL is down") - beforeOutage;
        await _pg.StartServerAsync();
        // The restart cut the connections this test's own queries left in the pool.
        NpgsqlConnection.ClearPool(new NpgsqlConnection(_pg.ConnectionString));
        var afterOutage = fleet.AcknowledgedCount;
        await AcknowledgedAsync(fleet, afterOutage + 200, "load after PostgreSQL came back");
        await stop.CancelAsync();
        await load;

        output.WriteLine($"accepted while PostgreSQL was down: {duringOutage}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        await Eventually.ReachesAsync(async () => (await http.GetAsync(console.BaseUrl + "/health/ready")).StatusCode,
            s => s == HttpStatusCode.OK, "readiness back");
        await AssertAllAcknowledgedStoredOnceAsync(fleet);
    }

    [Fact]
    public async Task stream_outage_answers_503_then_the_recreated_stream_is_consumed_from_its_start()
    {
        var tokens = await SeedTrucksAsync(4);
        var console = await StartConsoleAsync("stream");
        var fleet = new PhoneFleet(() => console.BaseUrl, tokens);
        using var stop = new CancellationTokenSource();
        var load = fleet.RunAsync(stop.Token);
        await AcknowledgedAsync(fleet, 300, "load before the stream outage");
        await stop.CancelAsync();
        await load;
        // kinesalite keeps records in memory only: let the consumer store what was acknowledged first.
        await AssertAllAcknowledgedStoredOnceAsync(fleet);

        await _kinesalite.StopServerAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, console.BaseUrl + "/api/v1/positions")
        {
            Content = new StringContent($$"""{"fixes":[{"lat":36,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow:O}}"}]}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.First().Value);
        var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        // Readiness reuses the stream's answer for up to Sendy:Health:StreamCheckCacheFor (5 s).
        await Eventually.ReachesAsync(async () => (await http.GetAsync(console.BaseUrl + "/health/ready")).StatusCode,
            s => s == HttpStatusCode.ServiceUnavailable, "not ready while the stream is down", timeoutSeconds: 30);

        await _kinesalite.StartServerAsync(); // empty: the stream and its sequence numbers are gone
        using var stop2 = new CancellationTokenSource();
        var fleet2 = new PhoneFleet(() => console.BaseUrl, tokens.ToDictionary(kv => kv.Key + "", kv => kv.Value));
        var before = await _pg.ScalarAsync<long>("SELECT count(*) FROM positions");
        var load2 = RunLaterBatchesAsync(fleet2, stop2);
        await Eventually.ReachesAsync(async () => (await http.GetAsync(console.BaseUrl + "/health/ready")).StatusCode,
            s => s == HttpStatusCode.OK, "ready again once the stream is recreated", timeoutSeconds: 60);
        // The second fleet re-sends the first fleet's device times before any new one: only past
        // those are its fixes new, and only new fixes stored show the recreated stream consumed.
        await AcknowledgedAsync(fleet2, fleet.AcknowledgedCount + 300, "fixes beyond the first fleet's accepted after the stream came back");
        await stop2.CancelAsync();
        await load2;
        await Eventually.ReachesAsync(() => _pg.ScalarAsync<long>("SELECT count(*) FROM positions"),
            n => n >= before, "positions after the outage stored", timeoutSeconds: 60);
        // The console's log reaches this process through a pipe, after the fact.
        await Eventually.ReachesAsync(() => Task.FromResult(console.Log.Contains("restarting the shard from TRIM_HORIZON", StringComparison.Ordinal)),
            logged => logged, "the consumer restarting the shards from TRIM_HORIZON");
        output.WriteLine($"after the stream came back: acknowledged {fleet2.AcknowledgedCount}");
    }

    /// <summary>The second fleet re-sends the first one's fixes (same device times): they must dedupe, not double.</summary>
    private async Task RunLaterBatchesAsync(PhoneFleet fleet, CancellationTokenSource stop)
    {
        await fleet.RunAsync(stop.Token);
        await AssertAllAcknowledgedStoredOnceAsync(fleet);
    }
}
