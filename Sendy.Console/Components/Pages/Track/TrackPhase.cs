using Sendy.Engine.Deliveries;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>What the customer's page shows, by delivery status.</summary>
public enum TrackPhase
{
    /// <summary>Booked, driver assigned or on the way to the pickup: truck and pickup, ETA to the pickup.</summary>
    BeforePickup,

    /// <summary>Picked up, in transit or arrived: truck, trail since pickup, drop-off, ETA.</summary>
    OnTheWay,

    /// <summary>Closed: the map is hidden (the driver's privacy), the timeline stays.</summary>
    Delivered,
    Cancelled,
    Failed,
}

internal static class TrackPhases
{
    public static TrackPhase Of(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Booked or DeliveryStatus.DriverAssigned or DeliveryStatus.EnRouteToPickup => TrackPhase.BeforePickup,
        DeliveryStatus.Delivered => TrackPhase.Delivered,
        DeliveryStatus.Cancelled => TrackPhase.Cancelled,
        DeliveryStatus.Failed => TrackPhase.Failed,
        _ => TrackPhase.OnTheWay,
    };

    public static bool ShowsMap(this TrackPhase phase) => phase is TrackPhase.BeforePickup or TrackPhase.OnTheWay;
}
