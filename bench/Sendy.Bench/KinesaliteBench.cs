using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Nodes;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// Figure 2: fixes put through the API and consumed end to end; then, over the very same records in
/// kinesalite, a second consumer (own database, production poll interval) catching up from
/// TRIM_HORIZON next to a bare GetRecords loop that stores nothing (kinesalite's drain rate).
/// </summary>
public sealed class KinesaliteBench(BenchHost host, string templatePg, Report report)
{
    public int Fixes { get; init; } = 40_000;

    public async Task RunAsync(CancellationToken ct)
    {
        var db = host.Database;
        var before = await db.ScalarAsync<long>("SELECT count(*) FROM positions");
        Progress.Say($"kinesalite: {Fixes:N0} fixes through the API (500 per request, 4 clients) until stored");
        using var http = host.NewClient(4);
        var watch = Stopwatch.StartNew();
        var next = -1;
        var requests = Fixes / 500;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            int r;
            while ((r = Interlocked.Increment(ref next)) < requests)
            {
                var truck = host.Fleet[r % host.Fleet.Count];
                var now = DateTimeOffset.UtcNow;
                var body = FixPoster.Body(Enumerable.Range(0, 500).Select(i => (35.0 + i * 1e-5, 128.0 + r * 1e-6, now.AddMilliseconds(-500 + i))));
                var status = await FixPoster.PostAsync(http, truck.DriverToken, body, ct);
                if (status != System.Net.HttpStatusCode.Accepted) throw new InvalidOperationException($"ingest answered {(int)status}");
            }
        }));
        var putSeconds = watch.Elapsed.TotalSeconds;
        while (await db.ScalarAsync<long>("SELECT count(*) FROM positions") < before + Fixes)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("end-to-end run did not finish in 2 minutes");
            await Task.Delay(50, ct);
        }
        var e2e = Fixes / watch.Elapsed.TotalSeconds;
        report.Add(Figure.Reference("kinesalite_end_to_end_positions_per_s", e2e, "positions/s",
            $"{Fixes:N0} fixes: API (500/request, 4 clients) -> kinesalite -> consumer (200 ms polls) -> PostGIS; puts alone took {putSeconds:0.0} s ({Fixes / putSeconds:0} fixes/s)"));

        var reader = host.Services.GetRequiredService<IShardReader>();
        var drain = await DrainAsync(reader, ct);
        var consumer = await CatchUpAsync(reader, drain.Records, drain.LastSequenceNumbers, ct);
        report.Add(Figure.Relative("kinesalite_consumer_positions_per_s", consumer, "positions/s", drain.Rate, "kinesalite_drain_positions_per_s", 0.8,
            $"a second consumer (own database, default 200 ms GetRecords interval, up to 10,000 records per call) catching up on the same {drain.Records:N0} records from TRIM_HORIZON"));
        report.Add(Figure.Reference("kinesalite_drain_positions_per_s", drain.Rate, "positions/s",
            $"bare GetRecords loop over all {host.ShardCount} shards in parallel, no pause, no decoding, nothing stored"));
    }

    private async Task<(double Rate, long Records, string[] LastSequenceNumbers)> DrainAsync(IShardReader reader, CancellationToken ct)
    {
        Progress.Say("kinesalite: bare GetRecords drain");
        var shards = await reader.ListShardsAsync(ct);
        long total = 0;
        var last = new System.Collections.Concurrent.ConcurrentBag<string>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(shards.Select(async s =>
        {
            var it = await reader.GetShardIteratorAsync(s.ShardId, IteratorStart.TrimHorizon, ct);
            string? lastSeq = null;
            while (true)
            {
                var page = await reader.GetRecordsAsync(it, 10_000, ct);
                Interlocked.Add(ref total, page.Records.Count);
                if (page.Records.Count > 0) lastSeq = page.Records[^1].SequenceNumber;
                if (page.Records.Count == 0 && page.MillisBehindLatest is null or 0) break;
                it = page.NextIterator!;
            }
            if (lastSeq is not null) last.Add(lastSeq);
        }));
        return (total / watch.Elapsed.TotalSeconds, total, last.ToArray());
    }

    private async Task<double> CatchUpAsync(IShardReader reader, long records, string[] lastSequenceNumbers, CancellationToken ct)
    {
        await using var db = await BenchDatabase.CreateAsync(templatePg, "catchup");
        await db.AddTrucksAsync(host.Fleet.Select(f => f.TruckId));
        Progress.Say($"kinesalite: second consumer catching up on {records:N0} records");
        var options = new ConsumerOptions { WorkerId = "bench-catchup" };
        // Disposed at the end: the engine's meter callbacks would otherwise keep the coordinator (and its stream) alive.
        await using var metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = metricsServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var metrics = new EngineMetrics(meters);
        var coordinator = new Scheduler(new StreamName(host.StreamName), reader, new PostgresLeaseStore(db.DataSource),
            new PositionRecordProcessorFactory(new PostgresPositionBatchWriter(db.DataSource, TimeProvider.System, new CrossNodeLive(new NodeId(options.WorkerId))),
                new LiveFanout(NullLogger<LiveFanout>.Instance), NullLoggerFactory.Instance, metrics),
            Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance,
            new PostgresConsumerStatusStore(db.DataSource), metrics);
        var watch = Stopwatch.StartNew();
        await coordinator.StartAsync(ct);
        try
        {
            // Done when every shard is checkpointed at its last record (counting rows would not do:
            // fixes a truck already has at the same device time are skipped, as re-sent uploads).
            while (await db.ScalarAsync<long>("SELECT count(*) FROM leases WHERE stream_name = $1 AND checkpoint = ANY($2)",
                       host.StreamName, (object)lastSequenceNumbers) < lastSequenceNumbers.Length)
            {
                if (watch.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("catch-up did not finish in 2 minutes");
                await Task.Delay(25, ct);
            }
            return records / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await coordinator.StopAsync(CancellationToken.None);
            coordinator.Dispose();
        }
    }
}
