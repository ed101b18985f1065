using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>Resharding paths that kinesalite cannot show (AWS's ChildShards), and the consumer's metrics.</summary>
public sealed class ReshardingTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static TruckPosition Fix(string truck, int i) =>
        new(truck, 35 + i * 0.0001, 128, DateTimeOffset.UtcNow.AddHours(-1).AddSeconds(i), DateTimeOffset.UtcNow);

    [Fact]
    public async Task child_shards_named_at_shard_end_are_leased_without_waiting_for_list_shards()
    {
        var stream = new InMemoryStream(shardCount: 1);
        var name = "rs-" + Guid.NewGuid().ToString("N")[..8];
        var truck = "ch-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        await stream.PutAsync(Enumerable.Range(0, 10).Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);
        // ListShards runs once at start, before the split; only ChildShards can reveal the children.
        await using var node = new EngineHarness(db, stream, name, configure: o => o.ShardSyncInterval = TimeSpan.FromHours(1));
        await node.StartAsync();
        await Eventually.ReachesAsync(() => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck), n => n == 10, "parent read");

        var (left, right) = stream.Split("shardId-000000000000");
        await stream.PutAsync(Enumerable.Range(10, 10).Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);

        await Eventually.ReachesAsync(() => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck), n => n == 20, "children read");
        var leases = await node.Leases.ListAsync(name, default);
        Assert.Equal(Checkpoints.ShardEnd, leases.Single(l => l.ShardId == "shardId-000000000000").Checkpoint);
        Assert.Contains(leases, l => l.ShardId == left && l.ParentShardIds.SequenceEqual(["shardId-000000000000"]));
        Assert.Contains(leases, l => l.ShardId == right);
    }

    [Fact]
    public async Task a_child_waits_while_its_parent_is_unfinished()
    {
        var stream = new InMemoryStream(shardCount: 1);
        var name = "wp-" + Guid.NewGuid().ToString("N")[..8];
        var store = new PostgresLeaseStore(db.DataSource);
        // The parent is held by a live peer that is not reading it: the children must not start.
        var parent = new Lease(name, "shardId-000000000000", null, 0, null, Checkpoints.TrimHorizon, [], 0);
        await store.CreateIfMissingAsync(parent, default);
        var peer = await store.TakeAsync((await store.ListAsync(name, default)).Single(), "peer", DateTimeOffset.UtcNow.AddHours(1), default);
        var (left, right) = stream.Split("shardId-000000000000");
        var truck = "wt-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        await stream.PutAsync([new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, 1)))], default);

        // Wired as EngineHarness wires a node, with a log to read: the consumers' log is the signal.
        var log = new RecordingLoggerFactory();
        using var coordinator = new Scheduler(new StreamName(name), stream, store,
            new PositionRecordProcessorFactory(new PostgresPositionBatchWriter(db.DataSource, TimeProvider.System),
                new LiveFanout(NullLogger<LiveFanout>.Instance), log),
            Options.Create(EngineHarness.FastOptions("worker-a", TimeSpan.FromSeconds(3))), TimeProvider.System, log);
        await coordinator.StartAsync(default);
        try
        {
            // A consumer reads nothing until a parent check finds every parent finished. Each child has
            // checked twice and found its parent unfinished both times, so neither has read (one that
            // went on after a check would not check again).
            int ChecksFoundUnfinished(string shard) => log.Count("WaitingOnParents", e => Equals(e["ShardId"], shard));
            try
            {
                await Eventually.ReachesAsync(() => Task.FromResult(Math.Min(ChecksFoundUnfinished(left), ChecksFoundUnfinished(right))),
                    n => n >= 2, "both children waiting on their parent");
            }
            catch (TimeoutException e)
            {
                // Seen once in a flake hunt (one child never checked): say what the leases and the consumers did.
                var rows = string.Join("; ", (await store.ListAsync(name, default)).Select(l =>
                    $"{l.ShardId} owner={l.Owner ?? "-"} renewed={l.LastRenewedAt:O} checkpoint={l.Checkpoint} parents=[{string.Join(",", l.ParentShardIds)}]"));
                throw new TimeoutException($"{e.Message}; left {ChecksFoundUnfinished(left)}, right {ChecksFoundUnfinished(right)} checks; leases: {rows}; {log.Summary()}", e);
            }
            Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));

            await store.CheckpointAsync(peer, Checkpoints.ShardEnd, default);
            await Eventually.ReachesAsync(() => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck), n => n == 1, "child read after parent ended");
        }
        finally
        {
            await coordinator.StopAsync(default);
        }
    }

    [Fact]
    public async Task metrics_count_records_dead_letters_and_expose_held_leases_and_lag()
    {
        var stream = new InMemoryStream(shardCount: 2);
        var name = "mt-" + Guid.NewGuid().ToString("N")[..8];
        var truck = "mt-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        long records = 0, deadLetters = 0, held = 0;
        await using var node = new EngineHarness(db, stream, name);
        var meter = node.Metrics.Meter; // captured first: the listener callback must not create anything
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This node's meter only: other test classes run consumers in the same process.
            if (ReferenceEquals(instrument.Meter, meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "sendy.consumer.records") Interlocked.Add(ref records, value);
            if (instrument.Name == "sendy.consumer.dead_letters") Interlocked.Add(ref deadLetters, value);
            if (instrument.Name == "sendy.leases.held") Interlocked.Exchange(ref held, value);
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "sendy.leases.held") Interlocked.Exchange(ref held, value);
        });
        listener.Start();

        await stream.PutAsync(Enumerable.Range(0, 7).Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);
        await stream.PutRawAsync(truck, "not json"u8.ToArray());
        await node.StartAsync();

        await Eventually.ReachesAsync(() => Task.FromResult(Interlocked.Read(ref records)), n => n == 7, "records counter");
        await Eventually.ReachesAsync(() => Task.FromResult(Interlocked.Read(ref deadLetters)), n => n == 1, "dead-letter counter");
        listener.RecordObservableInstruments();
        Assert.Equal(2, Interlocked.Read(ref held));
    }
}
