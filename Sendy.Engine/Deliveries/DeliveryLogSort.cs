namespace Sendy.Engine.Deliveries;

/// <summary>The columns the deliveries log sorts by: a whitelist, so no caller's text reaches the ORDER BY.</summary>
public enum DeliveryLogSort
{
    CreatedAt,
    Customer,
    Truck,
    Driver,
    Status,
    PickedUpAt,
    DeliveredAt,
}
