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
    public async Task a_disposed_subscription_gets_nothing_more_and_a_throwing_one_stays_alive()
    {
        var count = 0;
        var sub = _fanout.SubscribeTruck("A", _ => { Interlocked.Increment(ref count); return Task.CompletedTask; });
        sub.Dispose();
        var thrown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterThrow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var faulty = _fanout.SubscribeTruck("A", p =>
        {
            if (thrown.TrySetResult()) throw new InvalidOperationException("subscriber bug");
            afterThrow.TrySetResult();
            return Task.CompletedTask;
        });
        _fanout.Publish([At("A", 1)]);
        await thrown.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        _fanout.Publish([At("A", 2)]);
        await afterThrow.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, count);
    }

    [Fact]
    public async Task the_same_fix_published_again_is_not_delivered_again_and_an_older_one_never()
    {
        var seen = new List<int>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _fanout.SubscribeTruck("A", p =>
        {
            var second = (int)(p.RecordedAt - T0).TotalSeconds;
            lock (seen) seen.Add(second);
            if (second == 3) third.TrySetResult();
            return Task.CompletedTask;
        });

        _fanout.Publish([At("A", 2)]);            // fast path: acknowledged by the stream
        await Eventually.ReachesAsync(() => Task.FromResult(Count(seen)), n => n == 1, "first delivery");
        _fanout.Publish([At("A", 2)]);            // the consumer stored the same fix
        _fanout.Publish([At("A", 1)]);            // a late, older fix (another node's consumer)
        _fanout.Publish([At("A", 3)]);
        await third.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _fanout.Publish([At("A", 3)]);
        await Task.Delay(100);

        lock (seen) Assert.Equal([2, 3], seen);
    }

    [Fact]
    public async Task an_all_trucks_subscriber_does_not_get_a_fix_again_once_delivered()
    {
        var batches = new List<string[]>();
        using var _ = _fanout.SubscribeAll(ps =>
        {
            lock (batches) batches.Add(ps.Select(p => $"{p.TruckId}{(int)(p.RecordedAt - T0).TotalSeconds}").Order().ToArray());
            return Task.CompletedTask;
        });

        _fanout.Publish([At("A", 1), At("B", 1)]);
        await Eventually.ReachesAsync(() => Task.FromResult(Count(batches)), n => n == 1, "first batch");
        _fanout.Publish([At("A", 1), At("B", 1)]); // stored copies: nothing new
        _fanout.Publish([At("A", 1), At("B", 2)]);
        await Eventually.ReachesAsync(() => Task.FromResult(Count(batches)), n => n == 2, "second batch");
        await Task.Delay(100);

        lock (batches)
        {
            Assert.Equal(2, batches.Count);
            Assert.Equal(["A1", "B1"], batches[0]);
            Assert.Equal(["B2"], batches[1]);
        }
    }

    private static int Count<T>(List<T> list)
    {
        lock (list) return list.Count;
    }
}
