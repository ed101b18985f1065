using Sendy.Engine.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

public sealed class LiveFanoutTests
{
    private readonly LiveFanout _fanout = new(NullLogger<LiveFanout>.Instance);
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static TruckPosition At(string truck, int second) => new(truck, 37 + second * 0.001, 127, T0.AddSeconds(second), T0);

    [Fact]
    public async Task a_truck_subscriber_gets_only_its_truck()
    {
        var got = new TaskCompletionSource<TruckPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _fanout.SubscribeTruck("A", p => { got.TrySetResult(p); return Task.CompletedTask; });
        _fanout.Publish([At("B", 1), At("A", 2)]);
        var p = await got.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("A", p.TruckId);
        Assert.Equal(T0.AddSeconds(2), p.RecordedAt);
    }

    [Fact]
    public async Task a_slow_subscriber_does_not_block_publishing_and_then_sees_the_latest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _fanout.SubscribeTruck("A", async p =>
        {
            var second = (int)(p.RecordedAt - T0).TotalSeconds;
            lock (seen) seen.Add(second);
            if (second == 1)
            {
                stuck.TrySetResult();
                await release.Task; // stuck on the first update
            }
            if (second == 100) done.TrySetResult();
        });

        _fanout.Publish([At("A", 1)]);
        await stuck.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 2; i <= 100; i++) _fanout.Publish([At("A", i)]); // returns although the subscriber is stuck
        release.SetResult();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        lock (seen) Assert.Equal([1, 100], seen); // intermediate positions coalesced away
    }

    [Fact]
    public async Task an_older_position_does_not_replace_a_newer_pending_one()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new List<int>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _fanout.SubscribeTruck("A", async p =>
        {
            int count;
            lock (seen) { seen.Add((int)(p.RecordedAt - T0).TotalSeconds); count = seen.Count; }
            if (count == 1)
            {
                stuck.TrySetResult();
                await release.Task;
            }
            else second.TrySetResult();
        });
        _fanout.Publish([At("A", 1)]);
        await stuck.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _fanout.Publish([At("A", 9)]);
        _fanout.Publish([At("A", 5)]);
        release.SetResult();
        await second.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (seen) Assert.Equal([1, 9], seen);
    }

    [Fact]
    public async Task all_trucks_subscribers_get_one_latest_position_per_truck()
    {
        var batches = new List<IReadOnlyList<TruckPosition>>();
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _fanout.SubscribeAll(ps => { lock (batches) batches.Add(ps); got.TrySetResult(); return Task.CompletedTask; });
        _fanout.Publish([At("A", 1), At("A", 3), At("B", 2)]);
        await got.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var all = batches.SelectMany(b => b).GroupBy(p => p.TruckId).ToDictionary(g => g.Key, g => g.Max(p => p.RecordedAt));
        Assert.Equal(T0.AddSeconds(3), all["A"]);
        Assert.Equal(T0.AddSeconds(2), all["B"]);
    }

    [Fact]
    public void a_disposed_subscription_gets_nothing_more_and_a_throwing_one_stays_alive()
    {
        var (fanout, deliveries) = WithDeliveriesRunByTheTest();
        var count = 0;
        var sub = fanout.SubscribeTruck("A", _ => { count++; return Task.CompletedTask; });
        sub.Dispose();
        var seen = new List<int>();
        using var faulty = fanout.SubscribeTruck("A", p =>
        {
            seen.Add(Second(p));
            if (seen.Count == 1) throw new InvalidOperationException("subscriber bug");
            return Task.CompletedTask;
        });

        fanout.Publish([At("A", 1)]);
        deliveries.RunAll(); // the faulty subscriber throws on 1
        fanout.Publish([At("A", 2)]);
        deliveries.RunAll();

        Assert.Equal([1, 2], seen);
        Assert.Equal(0, count);
    }

    [Fact]
    public void the_same_fix_published_again_is_not_delivered_again_and_an_older_one_never()
    {
        // Each publish is delivered before the next (RunAll), so latest-wins cannot coalesce a wrong
        // delivery away: every fix that got through would be in seen.
        var (fanout, deliveries) = WithDeliveriesRunByTheTest();
        var seen = new List<int>();
        using var _ = fanout.SubscribeTruck("A", p =>
        {
            seen.Add(Second(p));
            return Task.CompletedTask;
        });

        fanout.Publish([At("A", 2)]);            // fast path: acknowledged by the stream
        deliveries.RunAll();
        fanout.Publish([At("A", 2)]);            // the consumer stored the same fix
        deliveries.RunAll();
        fanout.Publish([At("A", 1)]);            // a late, older fix (another node's consumer)
        deliveries.RunAll();
        fanout.Publish([At("A", 3)]);
        deliveries.RunAll();
        fanout.Publish([At("A", 3)]);
        deliveries.RunAll();

        Assert.Equal([2, 3], seen);
    }

    [Fact]
    public async Task an_all_trucks_subscriber_does_not_get_a_fix_again_once_delivered()
    {
        var batches = new List<string[]>();
        using var _ = _fanout.SubscribeAll(ps =>
        {
            lock (batches) batches.Add(ps.Select(p => $"{p.TruckId}{Second(p)}").Order().ToArray());
            return Task.CompletedTask;
        });

        _fanout.Publish([At("A", 1), At("B", 1)]);
        await Eventually.ReachesAsync(() => Task.FromResult(Count(batches)), n => n == 1, "first batch");
        _fanout.Publish([At("A", 1), At("B", 1)]); // stored copies: nothing new
        _fanout.Publish([At("A", 1), At("B", 2)]);
        // Sentinel: another truck's fix. An all-trucks subscription merges what it takes into one
        // pending batch keyed by truck and delivers batches one at a time, in order; a fix of truck C
        // replaces nothing of A's or B's. So anything taken before C1 has been delivered by the time
        // C1 has, in an earlier batch or in C1's.
        _fanout.Publish([At("C", 1)]);
        await Eventually.ReachesAsync(() => Task.FromResult(Delivered(batches)), d => d.Contains("C1", StringComparison.Ordinal), "the sentinel");

        lock (batches)
        {
            Assert.Equal(["A1", "B1"], batches[0]);
            Assert.Equal(["A1", "B1", "B2", "C1"], batches.SelectMany(b => b));
        }
    }

    /// <summary>A fan-out whose deliveries wait in a queue until the test runs them (on its own thread).</summary>
    private static (LiveFanout Fanout, ManualWorkQueue Deliveries) WithDeliveriesRunByTheTest()
    {
        var queue = new ManualWorkQueue();
        return (new LiveFanout(NullLogger<LiveFanout>.Instance) { DeliveryQueue = queue.Post }, queue);
    }

    private static int Second(TruckPosition p) => (int)(p.RecordedAt - T0).TotalSeconds;

    private static string Delivered(List<string[]> batches)
    {
        lock (batches) return string.Join(",", batches.SelectMany(b => b));
    }

    private static int Count<T>(List<T> list)
    {
        lock (list) return list.Count;
    }
}
