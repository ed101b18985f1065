namespace Sendy.Engine.Deliveries;

/// <summary>The columns the status event log sorts by.</summary>
public enum StatusEventLogSort
{
    OccurredAt,
    Customer,
    ToStatus,
    Actor,
}
