using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Tracking;

/// <summary>What a customer's tracking link shows.</summary>
/// <remarks>
/// Truck fields are null until a dispatcher assigns one; <paramref name="LatestPosition"/> is null once
/// the delivery is closed (the truck is hidden then); <paramref name="Timeline"/> holds the status
/// events, oldest first. <paramref name="Pickup"/> and <paramref name="Dropoff"/> are null when the
/// delivery has no coordinates for them.
/// </remarks>
public sealed record TrackingView(
    Guid DeliveryId,
    string? TruckId,
    string? TruckName,
    string? Plate,
    string? DriverFirstName,
    string CustomerName,
    DeliveryStatus Status,
    TruckPosition? LatestPosition,
    IReadOnlyList<StatusEventView>? Timeline = null,
    TrackingPlace? Pickup = null,
    TrackingPlace? Dropoff = null);

/// <summary>A pickup or drop-off point as the customer sees it.</summary>
public sealed record TrackingPlace(string? Address, double Latitude, double Longitude);

/// <summary>Whether a tracking token is unknown, has expired, or shows a delivery.</summary>
public enum TrackingLinkState
{
    Unknown,
    Expired,
    Active,

    /// <summary>Revoked by staff or an API client ("no longer valid", 410), whatever its expiry.</summary>
    Revoked,
}

/// <summary>The answer for a tracking token: only an active link carries the delivery.</summary>
public sealed record TrackingLookup(TrackingLinkState State, TrackingView? View = null)
{
    public static TrackingLookup Unknown { get; } = new(TrackingLinkState.Unknown);

    public static TrackingLookup Expired { get; } = new(TrackingLinkState.Expired);

    public static TrackingLookup Revoked { get; } = new(TrackingLinkState.Revoked);

    public static TrackingLookup Active(TrackingView view) => new(TrackingLinkState.Active, view);
}

/// <summary>A driver token resolved to the truck it may post for.</summary>
public sealed record DriverIdentity(Guid DriverId, string DriverName, string TruckId);

/// <summary>Read side for the customer and driver pages.</summary>
public interface ITrackingQueries
{
    /// <summary>The delivery behind a tracking token; an expired link says so but shows nothing of the delivery.</summary>
    Task<TrackingLookup> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken);

    /// <summary>
    /// The delivery's truck path from pickup (or from the truck's assignment, when it was reassigned
    /// later) until it closed (or now), oldest first, flagged fixes left out, simplified to at most
    /// <paramref name="maxPoints"/> (at least 2; first, newest and stops kept; see
    /// <see cref="SimplifiedTrail"/>; <see cref="SimplifiedTrail.EveryFix"/> for the full track). Empty
    /// before pickup: nothing the truck did before it had the customer's goods, or after delivery, is shown.
    /// </summary>
    Task<IReadOnlyList<TrailPoint>> GetTrailSincePickupAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken);

    /// <summary>
    /// The truck's fixes recorded in the last <paramref name="window"/> and since it was given the
    /// delivery, oldest first, while the delivery is open (empty once closed). Used on the server
    /// for the ETA's recent speed only.
    /// </summary>
    Task<IReadOnlyList<TruckPosition>> GetRecentFixesAsync(Guid deliveryId, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>The driver behind a driver token, or null when unknown.</summary>
    Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken);
}
