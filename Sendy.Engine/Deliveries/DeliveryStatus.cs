namespace Sendy.Engine.Deliveries;

/// <summary>Where a delivery is, in the order it moves. <see cref="DeliveryStateMachine"/> owns the transitions.</summary>
public enum DeliveryStatus
{
    Booked,
    DriverAssigned,
    EnRouteToPickup,
    PickedUp,
    InTransit,
    Arrived,
    Delivered,
    Cancelled,
    Failed,
}
