using System.Diagnostics;
using System.Numerics;
using Sendy.Engine.Consumers;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Streams.Kinesis;
using Sendy.Engine.Tracking;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>Several workers in one process, each with its own id, sharing one kinesalite stream and one database.</summary>
public sealed class ConsumerClusterTests(TestDatabase db, ITestOutputHelper output) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly KinesaliteFixture _stream = new();
    private readonly List<EngineHarness> _nodes = [];

    public Task InitializeAsync() => _stream.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    private EngineHarness Node(string id, TimeSpan? leaseDuration = null, bool relay = false,
        Func<IPositionBatchWriter, IPositionBatchWriter>? decorate = null)
    {
        var node = new EngineHarness(db, _stream.Reader, _stream.StreamName, id, leaseDuration, relay, decorate);
        _nodes.Add(node);
        return node;
    }

    private async Task<Dictionary<string, int>> OwnersAsync()
    {
        var leases = await new PostgresLeaseStore(db.DataSource).ListAsync(_stream.StreamName, default);
        return leases.Where(l => l.Owner is not null && !l.IsFinished).GroupBy(l => l.Owner!).ToDictionary(g => g.Key, g => g.Count());
    }

    private static string Describe(Dictionary<string, int> owners) =>
        string.Join(",", owners.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));

    private Task<Dictionary<string, int>> OwnersReachAsync(Func<Dictionary<string, int>, bool> done, string what) =>
        Eventually.ReachesAsync(OwnersAsync, done, what, timeoutSeconds: 60);

    private static TruckPosition Fix(string truck, int i) =>
        new(truck, 36 + i * 0.00001, 127 + i * 0.00001, DateTimeOffset.UtcNow.AddHours(-1).AddMilliseconds(i), DateTimeOffset.UtcNow);

    private async Task PutAsync(string truck, int from, int count) =>
        await _stream.Writer.PutAsync(Enumerable.Range(from, count)
            .Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);

    [Fact]
    public async Task workers_balance_rebalance_when_one_joins_and_take_over_when_one_leaves()
    {
        // A long lease: taking a released lease long before it could expire proves the release path.
        var duration = TimeSpan.FromSeconds(30);
        var a = Node("a", duration);
        var b = Node("b", duration);
        await a.StartAsync();
        await b.StartAsync();
        var two = await OwnersReachAsync(o => o.Count == 2 && o.Values.All(n => n == 2), "2 workers, 2 shards each");
        output.WriteLine($"two workers: {Describe(two)}");

        var c = Node("c", duration);
        await c.StartAsync();
        var three = await OwnersReachAsync(o => o.Count == 3 && o.Values.Max() - o.Values.Min() <= 1 && o.Values.Sum() == 4,
            "rebalanced across 3 workers");
        output.WriteLine($"three workers: {Describe(three)}");

        var workers = await new Sendy.Engine.Consumers.Status.PostgresConsumerStatusStore(db.DataSource).ListWorkersAsync(default);
        Assert.Equal(["a", "b", "c"], workers.Select(w => w.WorkerId).Where(id => id.Length == 1).Order());

        var cShards = (await new PostgresLeaseStore(db.DataSource).ListAsync(_stream.StreamName, default))
            .Where(l => l.Owner == "c").Select(l => l.ShardId).ToHashSet();
        await c.StopAsync();
        Assert.DoesNotContain("c", (await new Sendy.Engine.Consumers.Status.PostgresConsumerStatusStore(db.DataSource)
            .ListWorkersAsync(default)).Select(w => w.WorkerId)); // a graceful stop removes the heartbeat
        var afterStop = await new PostgresLeaseStore(db.DataSource).ListAsync(_stream.StreamName, default);
        foreach (var l in afterStop)
            output.WriteLine($"after stop: {l.ShardId} owner={l.Owner} counter={l.Counter} renewed={l.LastRenewedAt:HH:mm:ss.fff}");
        // Released, not left to expire: no lease names c once its stop has returned (a peer may
        // already have taken one; none can have expired, the lease duration is 30 s).
        Assert.DoesNotContain(afterStop, l => l.Owner == "c");
        Assert.NotEmpty(cShards);
        var after = await OwnersReachAsync(o => !o.ContainsKey("c") && o.Values.Sum() == 4, "c's shards taken after graceful stop");
        output.WriteLine($"after c stopped gracefully: {Describe(after)} (c held {string.Join(",", cShards)})");
    }

    [Fact]
    public async Task a_worker_is_registered_before_it_owns_a_lease()
    {
        var a = Node("a", TimeSpan.FromSeconds(30));
        var status = new Sendy.Engine.Consumers.Status.PostgresConsumerStatusStore(db.DataSource);
        var leases = new PostgresLeaseStore(db.DataSource);
        await a.StartAsync();
        // Each time a lease names a, the workers table already lists a (read in this order, so a
        // row written after the lease cannot hide a lease written before the row).
        await Eventually.ReachesAsync(async () =>
        {
            var owned = (await leases.ListAsync(_stream.StreamName, default)).Count(l => l.Owner == "a");
            var registered = (await status.ListWorkersAsync(default)).Any(w => w.WorkerId == "a");
            Assert.True(owned == 0 || registered, $"a owns {owned} lease(s) but is not in the workers table");
            return owned;
        }, n => n == KinesaliteFixture.ShardCount, "a owns every shard");
    }

    [Fact]
    public async Task a_crashed_worker_s_shards_are_taken_after_the_lease_duration()
    {
        var duration = TimeSpan.FromSeconds(3);
        var a = Node("a", duration);
        var b = Node("b", duration);
        await a.StartAsync();
        await b.StartAsync();
        await OwnersReachAsync(o => o.Count == 2 && o.Values.All(n => n == 2), "2 workers, 2 shards each");

        var crashedAt = Stopwatch.StartNew();
        await b.CrashAsync();
        Assert.Equal(2, (await OwnersAsync()).GetValueOrDefault("b")); // not released: a crash cannot
        var after = await OwnersReachAsync(o => o.GetValueOrDefault("a") == 4, "a owns all shards after b's leases expired");
        output.WriteLine($"failover after crash: {crashedAt.ElapsedMilliseconds} ms (lease duration {duration.TotalMilliseconds} ms): {Describe(after)}");
        // A lower bound only (a slow machine makes it longer, never shorter): b renewed at most one
        // renew interval before the crash, and a takes a lease only after seeing it unchanged for
        // the whole lease duration.
        Assert.True(crashedAt.Elapsed >= duration - a.Options.RenewInterval, "leases of a crashed worker were taken before they expired");
    }

    [Fact]
    public async Task split_and_merge_while_positions_flow_store_each_once_and_in_order_per_truck()
    {
        var trucks = Enumerable.Range(0, 24).Select(i => $"rs-{i:D2}-{Guid.NewGuid():N}"[..12]).ToArray();
        foreach (var t in trucks) await db.AddTruckAsync(t);
        var a = Node("a");
        var b = Node("b");
        await a.StartAsync();
        await b.StartAsync();

        var produced = trucks.ToDictionary(t => t, _ => 0);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var t in trucks)
                {
                    try
                    {
                        await PutAsync(t, produced[t], 5);
                        produced[t] += 5;
                    }
                    catch (StreamException)
                    {
                        await Task.Delay(20); // stream UPDATING during resharding: try again
                    }
                }
            }
        });

        await Task.Delay(1500);
        var quarter = BigInteger.Pow(2, 128) / 4;
        await _stream.Admin.SplitShardAsync("shardId-000000000000", (quarter / 2).ToString(), default);
        await _stream.Admin.WaitUntilActiveAsync(TimeSpan.FromSeconds(10), default);
        await Task.Delay(1500);
        await _stream.Admin.MergeShardsAsync("shardId-000000000002", "shardId-000000000003", default);
        await _stream.Admin.WaitUntilActiveAsync(TimeSpan.FromSeconds(10), default);
        await Task.Delay(1500);
        await stop.CancelAsync();
        await producer;

        var total = produced.Values.Sum();
        await Eventually.ReachesAsync(
            () => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = ANY($1)", (object)trucks),
            n => n >= total, $"all {total} positions stored", timeoutSeconds: 90);
        Assert.Equal((long)total, await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = ANY($1)", (object)trucks));
        Assert.Equal((long)total, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT (truck_id, recorded_at)) FROM positions WHERE truck_id = ANY($1)", (object)trucks));

        // Per truck, a later fix (parent shard before child shard) never committed in an earlier batch.
        var outOfOrder = await db.ScalarAsync<long>("""
            SELECT count(*) FROM (
              SELECT stored_at < lag(stored_at) OVER (PARTITION BY truck_id ORDER BY recorded_at) AS back
              FROM positions WHERE truck_id = ANY($1)) x WHERE back
            """, (object)trucks);
        Assert.Equal(0L, outOfOrder);
        var finished = (await new PostgresLeaseStore(db.DataSource).ListAsync(_stream.StreamName, default)).Count(l => l.IsFinished);
        Assert.Equal(3, finished); // the split parent and the two merged parents
        output.WriteLine($"{total} positions across split and merge, shards finished: {finished}");
    }

    [Fact]
    public async Task a_worker_killed_mid_batch_loses_nothing_and_stores_nothing_twice()
    {
        var truck = "kill-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 50);
        var gate = new GateWriter();
        var a = Node("a", TimeSpan.FromSeconds(3), decorate: inner => gate.Wrap(inner));
        await a.StartAsync();
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a is in the middle of writing its first batch
        await a.CrashAsync();

        var b = Node("b", TimeSpan.FromSeconds(3));
        await b.StartAsync();
        await PutAsync(truck, 50, 50);
        await Eventually.ReachesAsync(() => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck),
            n => n >= 100, "all positions stored by b");
        Assert.Equal(100L, await db.ScalarAsync<long>("SELECT count(DISTINCT recorded_at) FROM positions WHERE truck_id = $1", truck));
        Assert.Equal(100L, await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));
    }

    [Fact]
    public async Task a_subscriber_on_another_node_sees_positions_this_node_consumes()
    {
        var truck = "x-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        var consumer = Node("node-a", relay: true);
        var viewer = Node("node-b", relay: true);
        await viewer.StartRelayOnlyAsync(); // serves a customer's circuit, consumes nothing
        var seen = new TaskCompletionSource<TruckPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = viewer.Live.SubscribeTruck(truck, p => { seen.TrySetResult(p); return Task.CompletedTask; });
        await consumer.StartAsync();

        await PutAsync(truck, 7, 1);

        var position = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Fix(truck, 7).Latitude, position.Latitude, 9);
        Assert.False((await OwnersAsync()).ContainsKey("node-b"));
    }

    /// <summary>Blocks the first batch write forever (a process frozen mid-batch, then killed).</summary>
    private sealed class GateWriter
    {
        private int _calls;
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IPositionBatchWriter Wrap(IPositionBatchWriter inner) => new Writer(this, inner);

        private sealed class Writer(GateWriter gate, IPositionBatchWriter inner) : IPositionBatchWriter
        {
            public async Task<BatchWriteResult> WriteAsync(PositionBatch batch, Lease held, CancellationToken cancellationToken)
            {
                if (Interlocked.Increment(ref gate._calls) == 1)
                {
                    gate.Entered.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                return await inner.WriteAsync(batch, held, cancellationToken);
            }
        }
    }
}
