namespace Sendy.Engine.Tracking;

/// <summary>
/// Live positions for UI components. A handler is never called concurrently with itself and
/// only ever sees the latest position (a slow subscriber skips intermediate ones).
/// Dispose the returned subscription to stop.
/// </summary>
public interface ILivePositionFeed
{
    IDisposable SubscribeTruck(string truckId, Func<TruckPosition, Task> onPosition);

    /// <summary>Every truck: latest-wins per truck, delivered in batches.</summary>
    IDisposable SubscribeAll(Func<IReadOnlyList<TruckPosition>, Task> onPositions);
}

/// <summary>Publishes positions to live subscribers. Never blocks on subscribers.</summary>
public interface ILivePositionPublisher
{
    void Publish(IReadOnlyList<TruckPosition> positions);
}
