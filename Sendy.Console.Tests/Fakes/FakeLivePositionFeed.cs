using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>
/// Live feed test adapter. <see cref="PublishAsync"/> calls each matching handler on a thread-pool
/// thread, as the real fan-out does, and completes when they have finished; all-trucks subscribers
/// get the whole batch in one call.
/// </summary>
public sealed class FakeLivePositionFeed : ILivePositionFeed
{
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();
    private readonly ConcurrentDictionary<AllSubscription, byte> _all = new();

    public int ActiveAllSubscriptions => _all.Count;

    public int ActiveTruckSubscriptions(string truckId) => _subscriptions.Keys.Count(s => s.TruckId == truckId);

    /// <summary>Runs when a truck is subscribed to, after the subscription exists: what happens at that moment.</summary>
    public Action<string>? TruckSubscribed { get; set; }

    public IDisposable SubscribeTruck(string truckId, Func<TruckPosition, Task> onPosition)
    {
        var subscription = new Subscription(this, truckId, onPosition);
        _subscriptions.TryAdd(subscription, 0);
        TruckSubscribed?.Invoke(truckId);
        return subscription;
    }

    public IDisposable SubscribeAll(Func<IReadOnlyList<TruckPosition>, Task> onPositions)
    {
        var subscription = new AllSubscription(this, onPositions);
        _all.TryAdd(subscription, 0);
        return subscription;
    }

    public Task PublishAsync(TruckPosition position) => PublishAsync([position]);

    public Task PublishAsync(IReadOnlyList<TruckPosition> positions) =>
        Task.Run(() => Task.WhenAll(
            _subscriptions.Keys
                .SelectMany(s => positions.Where(p => p.TruckId == s.TruckId).Select(p => s.Handler(p)))
                .Concat(_all.Keys.Select(s => s.Handler(positions)))));

    private sealed record Subscription(FakeLivePositionFeed Owner, string TruckId, Func<TruckPosition, Task> Handler) : IDisposable
    {
        public void Dispose() => Owner._subscriptions.TryRemove(this, out _);
    }

    private sealed record AllSubscription(FakeLivePositionFeed Owner, Func<IReadOnlyList<TruckPosition>, Task> Handler) : IDisposable
    {
        public void Dispose() => Owner._all.TryRemove(this, out _);
    }
}
