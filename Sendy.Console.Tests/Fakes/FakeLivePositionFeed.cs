using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>
/// Live feed test adapter. <see cref="PublishAsync"/> calls each matching handler on a thread-pool
/// thread, as the real fan-out does, and completes when they have finished.
/// </summary>
public sealed class FakeLivePositionFeed : ILivePositionFeed
{
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    public int ActiveTruckSubscriptions(string truckId) => _subscriptions.Keys.Count(s => s.TruckId == truckId);

    public IDisposable SubscribeTruck(string truckId, Func<TruckPosition, Task> onPosition)
    {
        var subscription = new Subscription(this, truckId, onPosition);
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    public IDisposable SubscribeAll(Func<IReadOnlyList<TruckPosition>, Task> onPositions) =>
        throw new NotSupportedException("The pages under test only follow one truck.");

    public Task PublishAsync(TruckPosition position) =>
        Task.Run(() => Task.WhenAll(_subscriptions.Keys
            .Where(s => s.TruckId == position.TruckId)
            .Select(s => s.Handler(position))));

    private sealed record Subscription(FakeLivePositionFeed Owner, string TruckId, Func<TruckPosition, Task> Handler) : IDisposable
    {
        public void Dispose() => Owner._subscriptions.TryRemove(this, out _);
    }
}
