namespace Sendy.Engine.Deliveries;

public interface IDeliveryHistoryQueries
{
    Task<DeliveryHistory?> GetAsync(Guid deliveryId, CancellationToken cancellationToken);

    /// <summary>Null when the delivery does not exist or never had a truck.</summary>
    Task<DeliveryRoute?> RouteAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken);
}
