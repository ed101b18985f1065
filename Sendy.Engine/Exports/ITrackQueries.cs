namespace Sendy.Engine.Exports;

/// <summary>What the track exports read: which span of which truck, then every fix in it, streamed.</summary>
public interface ITrackQueries
{
    /// <summary>
    /// The span the admin replay shows: the delivery's truck from its first assignment (else pickup,
    /// else creation) to delivery (else close, else now), both ends included.
    /// </summary>
    Task<DeliveryTrackSpan> DeliverySpanAsync(Guid deliveryId, CancellationToken cancellationToken);

    Task<bool> TruckExistsAsync(string truckId, CancellationToken cancellationToken);

    /// <summary>Every stored fix of the span in device-time order, flagged ones included, read as the caller writes them.</summary>
    IAsyncEnumerable<TrackPoint> ReadAsync(TrackSpan span, CancellationToken cancellationToken);
}
