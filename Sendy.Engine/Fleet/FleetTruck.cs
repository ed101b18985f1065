using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Fleet;

/// <summary>The delivery a truck is on now: the newest one not delivered or cancelled.</summary>
public sealed record CurrentDelivery(Guid Id, string CustomerName, DeliveryStatus Status);

/// <summary>One truck as the dispatcher map lists it.</summary>
public sealed record FleetTruck(
    string TruckId,
    string Name,
    string? Plate,
    string? DriverName,
    CurrentDelivery? Delivery,
    TruckPosition? LatestPosition);
