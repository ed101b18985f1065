using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Deliveries;

/// <summary>Delivery rules. Bound from "Sendy:Deliveries".</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Sendy:Deliveries";

    /// <summary>How long a tracking link keeps working after the delivery closes (Delivered, Cancelled, Failed).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan TrackingLinkLifetimeAfterClose { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Run the geofence check on this node.</summary>
    public bool GeofenceEnabled { get; set; } = true;

    /// <summary>A truck this close to the pickup or drop-off point is "there".</summary>
    [Range(10, 5_000)]
    public double GeofenceRadiusMeters { get; set; } = 150;

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan GeofenceInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the server estimates arrivals (<see cref="Eta.EtaUpdater"/>): the API's current ETA is at most this old.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan EtaInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a booking's <c>Idempotency-Key</c> is remembered (at least a day, as promised to booking systems).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "30.00:00:00")]
    public TimeSpan IdempotencyKeysKeptFor { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How often each node deletes idempotency keys older than <see cref="IdempotencyKeysKeptFor"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdempotencyCleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
