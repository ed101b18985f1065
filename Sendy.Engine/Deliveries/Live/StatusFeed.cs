using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Deliveries.Live;

/// <summary>
/// A change pages showing the delivery should know of: a status event, the truck near the pickup
/// (<see cref="AtPickup"/>), or its tracking links revoked, extended or reissued (<see cref="LinkChanged"/>).
/// </summary>
public sealed record DeliveryStatusChanged(Guid DeliveryId, StatusEventView? Event, bool AtPickup = false, bool LinkChanged = false);

/// <summary>Live status changes for pages. Handlers run on the thread pool; dispose the subscription to stop.</summary>
public interface IDeliveryStatusFeed
{
    IDisposable Subscribe(Guid deliveryId, Func<DeliveryStatusChanged, Task> onChange);
}

/// <summary>Every delivery's status changes, for lists of deliveries. Handlers run on the thread pool; dispose to stop.</summary>
public interface IAllDeliveriesStatusFeed
{
    IDisposable SubscribeAll(Func<DeliveryStatusChanged, Task> onChange);
}

public interface IDeliveryStatusPublisher
{
    /// <summary>Only after the change is committed. Never blocks on subscribers.</summary>
    void Publish(DeliveryStatusChanged change);
}

/// <summary>
/// In-process fan-out of status changes. Unlike positions nothing is coalesced: every event is
/// a timeline entry, and they are rare (a handful per delivery). Each subscriber gets its events
/// one at a time in the order they were published (picked up → in transit, never the reverse),
/// and a slow subscriber holds up only itself.
/// </summary>
public sealed partial class StatusFanout(ILogger<StatusFanout> logger) : IDeliveryStatusFeed, IAllDeliveriesStatusFeed, IDeliveryStatusPublisher
{
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    /// <summary>
    /// Where handlers run: null (always, outside tests) is the thread pool. A test passes a queue it
    /// runs by hand, so "a disposed subscription heard nothing" is a fact it can check, not a wait.
    /// </summary>
    internal Action<Action>? HandlerQueue { get; init; }

    public IDisposable Subscribe(Guid deliveryId, Func<DeliveryStatusChanged, Task> onChange)
    {
        var subscription = new Subscription(this, deliveryId, onChange);
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    public IDisposable SubscribeAll(Func<DeliveryStatusChanged, Task> onChange)
    {
        var subscription = new Subscription(this, null, onChange);
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    public void Publish(DeliveryStatusChanged change)
    {
        foreach (var subscription in _subscriptions.Keys)
        {
            if (subscription.DeliveryId is { } id && id != change.DeliveryId) continue;
            subscription.Enqueue(change);
        }
    }

    /// <summary>Runs the subscriber's queued events in order until none is left; one runner per subscriber at a time.</summary>
    private async Task DrainAsync(Subscription subscription)
    {
        subscription.Culture.Apply(); // this work item only
        while (subscription.TryDequeue(out var change))
        {
            try
            {
                await subscription.Handler(change);
            }
            catch (Exception ex)
            {
                LogSubscriberFailed(logger, change.DeliveryId, ex);
            }
        }
    }

    private void Schedule(Subscription subscription)
    {
        if (HandlerQueue is null) _ = Task.Run(() => DrainAsync(subscription));
        else HandlerQueue(() => _ = DrainAsync(subscription));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A status subscriber for delivery {DeliveryId} threw; it stays subscribed")]
    private static partial void LogSubscriberFailed(ILogger logger, Guid deliveryId, Exception exception);

    /// <summary>A null <paramref name="DeliveryId"/> hears every delivery.</summary>
    private sealed class Subscription(StatusFanout owner, Guid? deliveryId, Func<DeliveryStatusChanged, Task> handler) : IDisposable
    {
        private readonly Queue<DeliveryStatusChanged> _queue = new();
        private bool _running;
        private bool _disposed;

        public Guid? DeliveryId => deliveryId;

        public Func<DeliveryStatusChanged, Task> Handler => handler;

        public SubscriberCulture Culture { get; } = SubscriberCulture.Capture();

        public void Enqueue(DeliveryStatusChanged change)
        {
            lock (_queue)
            {
                if (_disposed) return;
                _queue.Enqueue(change);
                if (_running) return; // the runner takes it after the ones before it
                _running = true;
            }
            owner.Schedule(this);
        }

        public bool TryDequeue(out DeliveryStatusChanged change)
        {
            lock (_queue)
            {
                if (!_disposed && _queue.TryDequeue(out change!)) return true;
                _running = false;
                change = null!;
                return false;
            }
        }

        public void Dispose()
        {
            lock (_queue)
            {
                _disposed = true;
                _queue.Clear();
            }
            owner._subscriptions.TryRemove(this, out _);
        }
    }
}
