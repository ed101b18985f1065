using NetTopologySuite.Geometries;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Storage;

public sealed class Delivery
{
    public Guid Id { get; set; }
    /// <summary>SHA-256 of the tracking token; the token itself is never stored.</summary>
    public required byte[] TrackingTokenHash { get; set; }
    /// <summary>The tracking token encrypted with ASP.NET Core Data Protection, for links in notifications; never the token in clear.</summary>
    public string? TrackingTokenProtected { get; set; }
    /// <summary>Null while Booked: a dispatcher assigns the truck and driver.</summary>
    public string? TruckId { get; set; }
    public Guid? DriverId { get; set; }
    /// <summary>When the current truck was given the delivery: its trail and recent speed count from here (or from pickup, if later).</summary>
    public DateTimeOffset? TruckAssignedAt { get; set; }
    /// <summary>Who booked it (<see cref="Shipper.DirectId"/> when nobody said).</summary>
    public Guid ShipperId { get; set; } = Shipper.DirectId;

    /// <summary>The API client that booked it, if one did: its <see cref="ExternalReference"/> is unique per client.</summary>
    public Guid? ApiClientId { get; set; }

    /// <summary>The booking system's own id for this delivery.</summary>
    public string? ExternalReference { get; set; }

    /// <summary>The person who receives the goods and the notifications.</summary>
    public required string CustomerName { get; set; }
    public string? CustomerEmail { get; set; }
    /// <summary>E.164 ("+821012345678").</summary>
    public string? CustomerPhone { get; set; }
    /// <summary>"ko" or "en": the language of the customer's notifications.</summary>
    public string Locale { get; set; } = "ko";

    /// <summary>The channels the customer is told on (<see cref="RecipientChannel"/>), where they gave an address or number.</summary>
    public string[] NotifyBy { get; set; } = [.. RecipientChannel.All];
    public string? PickupAddress { get; set; }
    public Point? PickupLocation { get; set; }
    public string? DropoffAddress { get; set; }
    public Point? DropoffLocation { get; set; }
    /// <summary>The promised window's start (optional: "by <see cref="PromisedTo"/>").</summary>
    public DateTimeOffset? PromisedFrom { get; set; }

    /// <summary>The promised window's end: the arrival the customer was promised.</summary>
    public DateTimeOffset? PromisedTo { get; set; }

    /// <summary>The fare, in <see cref="FareCurrency"/> (ISO 4217).</summary>
    public decimal? FareAmount { get; set; }
    public string? FareCurrency { get; set; }
    /// <summary>
    /// The arrival at the drop-off: the promised window's end until <see cref="Deliveries.Eta.EtaUpdater"/>
    /// estimates it from the truck's recent fixes (see <see cref="EtaKind"/>).
    /// </summary>
    public DateTimeOffset? EstimatedArrivalAt { get; set; }

    /// <summary>What the last ETA pass made of the truck (null: never estimated, e.g. before pickup).</summary>
    public Tracking.EtaKind? EtaKind { get; set; }

    /// <summary>When the ETA pass last wrote <see cref="EtaKind"/> (and the arrival, when it moved).</summary>
    public DateTimeOffset? EtaUpdatedAt { get; set; }

    /// <summary>The estimate last announced to webhook receivers (<c>delivery.eta_changed</c>), which a new one must leave by 5 minutes.</summary>
    public DateTimeOffset? EtaAnnouncedAt { get; set; }

    /// <summary>
    /// The number of the delivery's last event (created, assigned, status, ETA): every webhook
    /// payload carries its event's number, so receivers can order and spot what they missed.
    /// </summary>
    public long EventSequence { get; set; }
    public DeliveryStatus Status { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    public DateTimeOffset? PickedUpAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    /// <summary>When it reached a final status (Delivered, Cancelled, Failed).</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    public string? FailureReason { get; set; }
    /// <summary>The geofence saw the truck at the pickup point while EnRouteToPickup (a suggestion for the driver, not a status).</summary>
    public DateTimeOffset? AtPickupAt { get; set; }
    /// <summary>After this the tracking link answers "expired" (410) and shows nothing (set when the delivery closes).</summary>
    public DateTimeOffset? TrackingExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The last change of any kind, from PostgreSQL's clock (a trigger sets it on every update, so no
    /// writer can forget it): the API's "updated since" filter and list cursor.
    /// </summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
