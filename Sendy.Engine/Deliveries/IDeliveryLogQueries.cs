namespace Sendy.Engine.Deliveries;

/// <summary>Read side of the admin logs: pages for the grid, every matching row for the export.</summary>
public interface IDeliveryLogQueries
{
    Task<LogPage<DeliveryLogRow>> DeliveriesAsync(DeliveryLogFilter filter, LogPageRequest<DeliveryLogSort> page, CancellationToken cancellationToken);

    Task<LogPage<StatusEventLogRow>> StatusEventsAsync(DeliveryLogFilter filter, LogPageRequest<StatusEventLogSort> page, CancellationToken cancellationToken);

    /// <summary>Every matching delivery in the given order, streamed from the database.</summary>
    IAsyncEnumerable<DeliveryLogRow> AllDeliveriesAsync(DeliveryLogFilter filter, DeliveryLogSort sort, bool descending, CancellationToken cancellationToken);

    IAsyncEnumerable<StatusEventLogRow> AllStatusEventsAsync(DeliveryLogFilter filter, StatusEventLogSort sort, bool descending, CancellationToken cancellationToken);
}
