using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Tracking;

/// <summary>What a customer's tracking link shows.</summary>
/// <remarks>Truck fields are null until a dispatcher assigns one; <paramref name="Timeline"/> holds the status events, oldest first.</remarks>
public sealed record TrackingView(
    Guid DeliveryId,
    string? TruckId,
    string? TruckName,
    string? Plate,
    string? DriverFirstName,
    string CustomerName,
    string Status,
    TruckPosition? LatestPosition,
    IReadOnlyList<StatusEventView>? Timeline = null);

/// <summary>A driver token resolved to the truck it may post for.</summary>
public sealed record DriverIdentity(Guid DriverId, string DriverName, string TruckId);

/// <summary>Read side for the customer and driver pages.</summary>
public interface ITrackingQueries
{
    /// <summary>The delivery behind a tracking token, or null when unknown or expired.</summary>
    Task<TrackingView?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken);

    /// <summary>The driver behind a driver token, or null when unknown.</summary>
    Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken);
}
