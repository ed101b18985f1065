using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Nodes;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Leasing;

/// <summary>
/// The pure lease algorithm over the in-memory store with fake time: 1,000 shards, 50 workers that
/// join, crash and leave gracefully. After the churn stops, leases must converge to max-min &lt;= 1.
/// </summary>
public sealed class LeaseBalancingSimulation(ITestOutputHelper output)
{
    private const string Stream = "sim";
    private const int Shards = 1_000;
    private const int MaxCyclesToConverge = 200;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task thousand_shards_and_fifty_workers_converge_to_balance()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryLeaseStore();
        for (var i = 0; i < Shards; i++)
            await store.CreateIfMissingAsync(new Lease(Stream, $"shardId-{i:D6}", null, 0, null, Checkpoints.TrimHorizon, [], 0), default);

        var live = new List<LeaseManager>();
        var random = new Random(7);
        var next = 0;
        LeaseManager Join() { var w = new LeaseManager(store, Stream, new NodeId($"w{next++:D2}"), Duration, time); live.Add(w); return w; }

        async Task CycleAsync()
        {
            foreach (var w in live.OrderBy(_ => random.Next()))
            {
                await w.RenewAsync(default);
                foreach (var lost in w.Held.Where(l => l.IsLost).ToList()) w.Forget(lost.ShardId); // its consumer stopped
                await w.TakeAsync(default);
            }
            time.Advance(Duration / 3);
        }

        // Churn: workers arrive in waves; some crash (leases left to expire), some leave gracefully.
        for (var i = 0; i < 10; i++) Join();
        for (var cycle = 0; cycle < 60; cycle++)
        {
            if (cycle % 3 == 0 && next < 60) Join();
            if (cycle % 7 == 3 && live.Count > 5)
            {
                var victim = live[random.Next(live.Count)];
                live.Remove(victim); // crash: no release
            }
            if (cycle % 11 == 5 && live.Count > 5)
            {
                var leaver = live[random.Next(live.Count)];
                live.Remove(leaver);
                foreach (var lease in leaver.Held.Where(l => !l.IsLost)) await store.ReleaseAsync(lease.Current, default);
            }
            await CycleAsync();
        }
        while (live.Count > 50) live.RemoveAt(live.Count - 1); // crash the surplus: 50 workers stay
        while (live.Count < 50) Join();

        var cycles = 0;
        while (true)
        {
            await CycleAsync();
            cycles++;
            var (owned, spread) = await BalanceAsync(store, live, time, output, cycles);
            if (owned == Shards && spread <= 1) break;
            Assert.True(cycles < MaxCyclesToConverge, $"not balanced after {cycles} cycles (owned {owned}, spread {spread})");
        }
        output.WriteLine($"converged after {cycles} cycles ({cycles * (Duration / 3).TotalSeconds:F0} s of lease time) with {live.Count} workers");
        Assert.True(cycles < MaxCyclesToConverge);

        // And it stays there: no flapping.
        var before = (await store.ListAsync(Stream, default)).ToDictionary(l => l.ShardId, l => l.Owner);
        for (var i = 0; i < 10; i++) await CycleAsync();
        var after = (await store.ListAsync(Stream, default)).ToDictionary(l => l.ShardId, l => l.Owner);
        Assert.Equal(before, after);
    }

    private static async Task<(int Owned, int Spread)> BalanceAsync(InMemoryLeaseStore store, List<LeaseManager> live,
        FakeTimeProvider time, ITestOutputHelper output, int cycle)
    {
        var leases = await store.ListAsync(Stream, default);
        var liveIds = live.Select(w => w.Worker.Value).ToHashSet();
        var counts = live.ToDictionary(w => w.Worker.Value,
            w => leases.Count(l => l.Owner == w.Worker.Value && !l.IsExpired(Duration, time.GetUtcNow())));
        var owned = leases.Count(l => l.Owner is not null && liveIds.Contains(l.Owner) && !l.IsExpired(Duration, time.GetUtcNow()));
        var spread = counts.Values.Max() - counts.Values.Min();
        if (cycle % 10 == 0) output.WriteLine($"cycle {cycle}: owned {owned}, min {counts.Values.Min()}, max {counts.Values.Max()}");
        return (owned, spread);
    }
}
