using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Dispatch;

public sealed class PositionThrottleTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<IReadOnlyList<TruckPosition>> _flushes = [];
    private readonly List<DateTimeOffset> _flushTimes = [];

    private PositionThrottle NewThrottle(Func<IReadOnlyList<TruckPosition>, Task>? flush = null) =>
        new(Interval, _time, flush ?? (batch =>
        {
            lock (_flushes)
            {
                _flushes.Add(batch);
                _flushTimes.Add(_time.GetUtcNow());
            }
            return Task.CompletedTask;
        }));

    private static TruckPosition Fix(string id, int second, double lat = 37) => FleetData.Fix(id, lat, 127, Start.AddSeconds(second));

    [Fact]
    public void first_batch_goes_at_once_later_ones_wait_for_the_interval_and_coalesce_by_truck()
    {
        using var throttle = NewThrottle();

        throttle.Offer([Fix("a", 1)]);
        Assert.Single(_flushes);

        throttle.Offer([Fix("b", 1, lat: 35)]);
        throttle.Offer([Fix("b", 2, lat: 36), Fix("c", 2)]);
        throttle.Offer([Fix("b", 0, lat: 34)]); // older than the one held: ignored
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Single(_flushes);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _flushes.Count);
        var second = _flushes[1].OrderBy(p => p.TruckId).ToList();
        Assert.Equal(["b", "c"], second.Select(p => p.TruckId));
        Assert.Equal(36, second[0].Latitude);
    }

    [Fact]
    public void five_thousand_trucks_a_second_make_at_most_four_flushes_a_second()
    {
        using var throttle = NewThrottle();

        for (var tick = 0; tick < 100; tick++)
        {
            // 5,000 trucks at 1 fix/s, arriving in 10 batches of 500 per second.
            var second = tick / 10;
            throttle.Offer(Enumerable.Range(0, 500).Select(i => Fix($"t{(tick % 10) * 500 + i}", second)).ToList());
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 10 s of fixes: never two flushes closer than 250 ms, and no long silences either.
        var gaps = _flushTimes.Zip(_flushTimes.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, g => Assert.InRange(g, Interval, Interval * 2));
        Assert.InRange(_flushes.Count, 30, 41);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(50_000, _flushes.Sum(f => f.Count));
        Assert.All(_flushes, f => Assert.Equal(f.Count, f.Select(p => p.TruckId).Distinct().Count()));
    }

    [Fact]
    public async Task a_slow_flush_is_never_overlapped_and_what_came_meanwhile_follows_it()
    {
        var release = new TaskCompletionSource();
        var running = 0;
        var maxRunning = 0;
        var batches = new List<int>();
        using var throttle = NewThrottle(async batch =>
        {
            maxRunning = Math.Max(maxRunning, Interlocked.Increment(ref running));
            batches.Add(batch.Count);
            if (batches.Count == 1) await release.Task;
            Interlocked.Decrement(ref running);
        });

        throttle.Offer([Fix("a", 1)]);
        throttle.Offer([Fix("b", 1)]);
        _time.Advance(TimeSpan.FromSeconds(1));
        throttle.Offer([Fix("c", 1)]);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1], batches);

        release.SetResult();
        await Task.Yield();
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.ReachesAsync(() => Task.FromResult(batches.Count), n => n == 2, "second flush");
        Assert.Equal([1, 2], batches);
        Assert.Equal(1, maxRunning);
    }

    [Fact]
    public void nothing_is_flushed_after_dispose()
    {
        var throttle = NewThrottle();
        throttle.Offer([Fix("a", 1)]);
        throttle.Offer([Fix("b", 1)]);

        throttle.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        throttle.Offer([Fix("c", 1)]);

        Assert.Single(_flushes);
    }
}
