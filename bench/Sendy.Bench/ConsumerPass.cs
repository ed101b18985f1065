using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// The real consumer (Scheduler, shard consumers, the given batch writer with checkpoints) reading a
/// pre-filled in-memory stream to its end: what the persist and history scenarios time.
/// </summary>
public sealed class ConsumerPass(int batchSize, TimeSpan getRecordsInterval)
{
    /// <summary>A stream of <paramref name="shards"/> shards holding <paramref name="positions"/>, and each shard's last sequence number.</summary>
    public static async Task<(InMemoryStream Stream, Dictionary<string, string> LastPerShard)> FillAsync(
        IReadOnlyList<TruckPosition> positions, int shards, CancellationToken ct)
    {
        var stream = new InMemoryStream(shards);
        for (var i = 0; i < positions.Count; i += 500)
        {
            var chunk = positions.Skip(i).Take(500).Select(p => new OutgoingRecord(p.TruckId, PositionRecordCodec.Encode(p))).ToList();
            await stream.PutAsync(chunk, ct);
        }
        var lastPerShard = new Dictionary<string, string>();
        foreach (var shard in await stream.ListShardsAsync(ct))
        {
            var it = await stream.GetShardIteratorAsync(shard.ShardId, IteratorStart.TrimHorizon, ct);
            string? last = null;
            while (true)
            {
                var page = await stream.GetRecordsAsync(it, 10_000, ct);
                if (page.Records.Count == 0) break;
                last = page.Records[^1].SequenceNumber;
                it = page.NextIterator!;
            }
            if (last is not null) lastPerShard[shard.ShardId] = last;
        }
        return (stream, lastPerShard);
    }

    /// <summary>
    /// Runs the consumer from TRIM_HORIZON until every shard is checkpointed at its last record;
    /// returns the seconds that took. Leases are rows of <paramref name="streamName"/> in the database.
    /// </summary>
    public async Task<double> RunAsync(NpgsqlDataSource db, IPositionBatchWriter writer, string streamName, InMemoryStream stream,
        Dictionary<string, string> lastPerShard, CancellationToken ct)
    {
        var options = new ConsumerOptions
        {
            WorkerId = "bench-persist",
            GetRecordsInterval = getRecordsInterval,
            MaxRecordsPerCall = batchSize,
            ShardSyncInterval = TimeSpan.FromSeconds(30),
        };
        // Disposed at the end: the engine's meter callbacks would otherwise keep the coordinator (and its stream) alive.
        await using var metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = metricsServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var live = new LiveFanout(NullLogger<LiveFanout>.Instance);
        var metrics = new EngineMetrics(meters);
        var coordinator = new Scheduler(new StreamName(streamName), stream, new PostgresLeaseStore(db),
            new PositionRecordProcessorFactory(writer, live, NullLoggerFactory.Instance, metrics),
            Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance,
            new PostgresConsumerStatusStore(db), metrics);
        Progress.Say($"consumer running ({streamName})");
        var watch = Stopwatch.StartNew();
        await coordinator.StartAsync(ct);
        var expected = lastPerShard.Values.ToArray();
        var deadline = TimeSpan.FromMinutes(3);
        while (true)
        {
            await using (var cmd = db.CreateCommand("SELECT count(*) FROM leases WHERE stream_name = $1 AND checkpoint = ANY($2)"))
            {
                cmd.Parameters.Add(new() { Value = streamName });
                cmd.Parameters.Add(new() { Value = expected });
                if ((long)(await cmd.ExecuteScalarAsync(ct))! == expected.Length) break;
            }
            if (watch.Elapsed > deadline) throw new TimeoutException($"consumer did not finish within {deadline}");
            await Task.Delay(20, ct);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await coordinator.StopAsync(CancellationToken.None);
        coordinator.Dispose();
        return seconds;
    }
}
