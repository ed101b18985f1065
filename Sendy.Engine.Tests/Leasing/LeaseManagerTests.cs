using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Nodes;

namespace Sendy.Engine.Tests.Leasing;

/// <summary>Renewal, expiry, taking order and stealing, with fake time over the in-memory store.</summary>
public sealed class LeaseManagerTests
{
    private const string Stream = "s";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLeaseStore _store = new();

    private LeaseManager Worker(string id) => new(_store, Stream, new NodeId(id), Duration, _time);

    private async Task AddShardsAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await _store.CreateIfMissingAsync(new Lease(Stream, $"shard-{i:D4}", null, 0, null, Checkpoints.TrimHorizon, [], 0), default);
    }

    private async Task<Dictionary<string, int>> OwnersAsync() =>
        (await _store.ListAsync(Stream, default)).Where(l => l.Owner is not null)
            .GroupBy(l => l.Owner!).ToDictionary(g => g.Key, g => g.Count());

    private async Task CycleAsync(params LeaseManager[] workers)
    {
        foreach (var w in workers)
        {
            await w.RenewAsync(default);
            await w.TakeAsync(default);
        }
        _time.Advance(Duration / 3);
    }

    [Fact]
    public async Task a_lone_worker_takes_every_lease_and_keeps_them_by_renewing()
    {
        await AddShardsAsync(4);
        var a = Worker("a");
        await a.TakeAsync(default);
        Assert.Equal(4, a.Held.Count);

        for (var i = 0; i < 6; i++) // 20 s: twice the lease duration
        {
            _time.Advance(Duration / 3);
            await a.RenewAsync(default);
            Assert.Empty(LeaseTaker.Plan(await _store.ListAsync(Stream, default), "b", Duration, _time.GetUtcNow()).Take);
        }
        Assert.Equal(4, a.Held.Count(l => !l.IsLost));
    }

    [Fact]
    public async Task a_lease_not_renewed_within_the_duration_is_free_and_its_old_owner_stops()
    {
        await AddShardsAsync(2);
        var a = Worker("a");
        await a.TakeAsync(default);
        _time.Advance(Duration + TimeSpan.FromMilliseconds(1));

        var b = Worker("b");
        var taken = await b.TakeAsync(default);
        Assert.Equal(2, taken.Count);

        var lost = await a.RenewAsync(default); // overdue by its own clock: it must not act as owner
        Assert.Equal(2, lost.Count);
        Assert.All(a.Held, l => Assert.True(l.IsLost));
    }

    [Fact]
    public async Task renewal_failing_while_the_database_is_down_is_retried_until_overdue()
    {
        await AddShardsAsync(1);
        var a = Worker("a");
        await a.TakeAsync(default);
        _store.Unavailable = true;
        var errors = 0;
        _time.Advance(Duration / 3);
        await a.RenewAsync(default, (_, _) => errors++);
        Assert.Equal(1, errors);
        Assert.False(a.Held.Single().IsLost);
        _store.Unavailable = false;
        await a.RenewAsync(default);
        Assert.False(a.Held.Single().IsLost);
    }

    [Fact]
    public async Task unowned_and_oldest_expired_leases_are_taken_first()
    {
        var t0 = _time.GetUtcNow();
        var leases = new[]
        {
            new Lease(Stream, "young", "x", 1, t0.AddSeconds(-11), "1", [], 0),
            new Lease(Stream, "unowned", null, 1, null, "1", [], 0),
            new Lease(Stream, "old", "y", 1, t0.AddSeconds(-60), "1", [], 0),
            new Lease(Stream, "alive", "z", 1, t0, "1", [], 0),
        };
        var plan = LeaseTaker.Plan(leases, "me", Duration, t0);
        Assert.Equal(2, plan.Target); // 4 leases, live workers z and me
        Assert.Equal(["unowned", "old"], plan.Take.Select(l => l.ShardId));
    }

    [Fact]
    public async Task a_new_worker_steals_at_most_one_lease_per_cycle_from_the_most_loaded()
    {
        await AddShardsAsync(6);
        var a = Worker("a");
        await a.TakeAsync(default);
        var b = Worker("b");

        for (var expected = 1; expected <= 3; expected++)
        {
            await a.RenewAsync(default);
            await b.TakeAsync(default);
            Assert.Equal(expected, (await OwnersAsync()).GetValueOrDefault("b"));
            _time.Advance(Duration / 3);
        }
        await a.RenewAsync(default);
        await b.TakeAsync(default);
        Assert.Equal(3, (await OwnersAsync())["b"]); // balanced: no more stealing
        Assert.Equal(3, b.Steals);
    }

    [Fact]
    public void no_stealing_when_the_difference_is_one()
    {
        var now = _time.GetUtcNow();
        var leases = new[]
        {
            new Lease(Stream, "1", "a", 1, now, "1", [], 0),
            new Lease(Stream, "2", "a", 1, now, "1", [], 0),
            new Lease(Stream, "3", "b", 1, now, "1", [], 0),
        };
        var plan = LeaseTaker.Plan(leases, "b", Duration, now);
        Assert.Null(plan.Steal);
        Assert.Empty(plan.Take);
    }

    [Fact]
    public void finished_leases_are_never_taken_nor_counted()
    {
        var now = _time.GetUtcNow();
        var leases = new[]
        {
            new Lease(Stream, "parent", null, 1, null, Checkpoints.ShardEnd, [], 0),
            new Lease(Stream, "child", null, 1, null, Checkpoints.TrimHorizon, ["parent"], 0),
        };
        var plan = LeaseTaker.Plan(leases, "me", Duration, now);
        Assert.Equal(["child"], plan.Take.Select(l => l.ShardId));
    }

    [Fact]
    public async Task balance_is_reached_from_a_skewed_start()
    {
        await AddShardsAsync(10);
        var a = Worker("a");
        await a.TakeAsync(default);
        LeaseManager[] workers = [a, Worker("b"), Worker("c")];
        for (var cycle = 0; cycle < 20; cycle++) await CycleAsync(workers);

        var counts = await OwnersAsync();
        Assert.Equal(10, counts.Values.Sum());
        Assert.True(counts.Values.Max() - counts.Values.Min() <= 1, string.Join(",", counts));
        Assert.Equal(3, counts.Count);
    }

    [Fact]
    public async Task a_graceful_leaver_releases_and_a_peer_takes_its_leases_within_one_cycle()
    {
        await AddShardsAsync(4);
        var a = Worker("a");
        var b = Worker("b");
        for (var i = 0; i < 6; i++) await CycleAsync(a, b);
        Assert.Equal(2, (await OwnersAsync())["a"]);

        foreach (var lease in a.Held.Where(l => !l.IsLost)) await _store.ReleaseAsync(lease.Current, default);
        await CycleAsync(b);
        Assert.Equal(4, (await OwnersAsync())["b"]);
    }
}
