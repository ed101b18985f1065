using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Tracking;

/// <summary>
/// In-process live fan-out. Publishing only swaps a slot and, if the subscriber is idle, queues one
/// work item: it never waits for a subscriber. A subscriber that is busy picks up just the newest
/// position when it is done (latest wins). A subscription drops any position not newer (device
/// time) than the newest it has taken for that truck: the same fix arrives twice with the fast path
/// (once when the stream acknowledged it, once when the consumer stored it) and must neither cause
/// a second update nor move a marker backwards.
/// </summary>
public sealed class LiveFanout(ILogger<LiveFanout> logger) : ILivePositionFeed, ILivePositionPublisher
{
    private readonly ILogger _logger = logger;
    private readonly ConcurrentDictionary<string, TruckSubscriptions> _byTruck = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AllTrucksSubscription, byte> _all = new();

    /// <summary>
    /// Where subscribers' deliveries run: null (always, outside tests) is the thread pool. A test
    /// passes a queue it runs by hand, so "nothing more was delivered" is a fact it can check, not a wait.
    /// </summary>
    internal Action<Action>? DeliveryQueue { get; init; }

    public IDisposable SubscribeTruck(string truckId, Func<TruckPosition, Task> onPosition)
    {
        var subscription = new TruckSubscription(this, truckId, onPosition);
        _byTruck.AddOrUpdate(truckId,
            _ => new TruckSubscriptions(subscription),
            (_, existing) => existing.Add(subscription));
        return subscription;
    }

    public IDisposable SubscribeAll(Func<IReadOnlyList<TruckPosition>, Task> onPositions)
    {
        var subscription = new AllTrucksSubscription(this, onPositions);
        _all.TryAdd(subscription, 0);
        return subscription;
    }

    public void Publish(IReadOnlyList<TruckPosition> positions)
    {
        if (positions.Count == 0) return;
        foreach (var position in positions)
        {
            if (_byTruck.TryGetValue(position.TruckId, out var subscribers))
                foreach (var subscriber in subscribers.Items)
                    subscriber.Offer(position);
        }
        if (!_all.IsEmpty)
            foreach (var subscriber in _all.Keys)
                subscriber.Offer(positions);
    }

    private void Remove(TruckSubscription subscription)
    {
        while (_byTruck.TryGetValue(subscription.TruckId, out var existing))
        {
            var next = existing.Remove(subscription);
            var done = next.Items.Length == 0
                ? _byTruck.TryRemove(new KeyValuePair<string, TruckSubscriptions>(subscription.TruckId, existing))
                : _byTruck.TryUpdate(subscription.TruckId, next, existing);
            if (done) return;
        }
    }

    private void Remove(AllTrucksSubscription subscription) => _all.TryRemove(subscription, out _);

    /// <summary>Immutable subscriber list per truck: publishing iterates without locks.</summary>
    private sealed record TruckSubscriptions(TruckSubscription[] Items)
    {
        public TruckSubscriptions(TruckSubscription first) : this([first]) { }
        public TruckSubscriptions Add(TruckSubscription s) => new([.. Items, s]);
        public TruckSubscriptions Remove(TruckSubscription s) => new(Items.Where(x => x != s).ToArray());
    }

    private sealed class TruckSubscription(LiveFanout owner, string truckId, Func<TruckPosition, Task> handler)
        : LatestWinsPump<TruckPosition>(owner._logger, owner.DeliveryQueue), IDisposable
    {
        // Newest device time taken into the pending slot; read and written under the pump's lock.
        private DateTimeOffset _newest = DateTimeOffset.MinValue;

        public string TruckId => truckId;

        public void Offer(TruckPosition position) => Offer(position, (current, next) =>
        {
            if (next.RecordedAt <= _newest) return current;
            _newest = next.RecordedAt;
            return next;
        });

        protected override Task DeliverAsync(TruckPosition value) => handler(value);

        public void Dispose()
        {
            Stop();
            owner.Remove(this);
        }
    }

    private sealed class AllTrucksSubscription(LiveFanout owner, Func<IReadOnlyList<TruckPosition>, Task> handler)
        : LatestWinsPump<Dictionary<string, TruckPosition>>(owner._logger, owner.DeliveryQueue), IDisposable
    {
        // Newest device time taken per truck; read and written under the pump's lock.
        private readonly Dictionary<string, DateTimeOffset> _newest = new(StringComparer.Ordinal);

        public void Offer(IReadOnlyList<TruckPosition> positions) => Offer(positions, (pending, batch) =>
        {
            foreach (var p in batch)
            {
                if (_newest.TryGetValue(p.TruckId, out var newest) && p.RecordedAt <= newest) continue;
                _newest[p.TruckId] = p.RecordedAt;
                pending ??= new Dictionary<string, TruckPosition>(StringComparer.Ordinal);
                pending[p.TruckId] = p;
            }
            return pending;
        });

        protected override Task DeliverAsync(Dictionary<string, TruckPosition> value) => handler(value.Values.ToArray());

        public void Dispose()
        {
            Stop();
            owner.Remove(this);
        }
    }
}

/// <summary>
/// Holds the newest pending value and runs at most one delivery at a time on the thread pool.
/// Merging happens under a tiny lock; delivery happens outside it. A non-null <paramref name="queue"/>
/// (tests only) runs deliveries instead of the thread pool.
/// </summary>
internal abstract partial class LatestWinsPump<T>(ILogger logger, Action<Action>? queue = null) where T : class
{
    private readonly Lock _gate = new();
    private readonly SubscriberCulture _culture = SubscriberCulture.Capture();
    private T? _pending;
    private bool _running;
    private bool _stopped;

    protected abstract Task DeliverAsync(T value);

    /// <summary>Merges <paramref name="input"/> into the pending value; a merge that yields null (nothing new) schedules nothing.</summary>
    protected void Offer<TIn>(TIn input, Func<T?, TIn, T?> merge)
    {
        lock (_gate)
        {
            if (_stopped) return;
            _pending = merge(_pending, input);
            if (_pending is null || _running) return;
            _running = true;
        }
        if (queue is null) ThreadPool.UnsafeQueueUserWorkItem(static pump => _ = pump.RunAsync(), this, preferLocal: false);
        else queue(() => _ = RunAsync());
    }

    protected void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _pending = null;
        }
    }

    private async Task RunAsync()
    {
        _culture.Apply(); // undone when this async method returns
        while (true)
        {
            T? value;
            lock (_gate)
            {
                value = _pending;
                _pending = null;
                if (value is null || _stopped)
                {
                    _running = false;
                    return;
                }
            }
            try
            {
                await DeliverAsync(value).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogSubscriberFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live-position subscriber threw; it stays subscribed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception);
}
