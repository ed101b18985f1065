using System.Collections.Frozen;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// The delivery status transitions, as a table: the happy path moves one step at a time
/// (Booked → DriverAssigned → EnRouteToPickup → PickedUp → InTransit → Arrived → Delivered);
/// any non-final status may become Cancelled, or Failed with a reason. Delivered, Cancelled and
/// Failed are final. Pure: no time, no storage.
/// </summary>
public static class DeliveryStateMachine
{
    private static readonly DeliveryStatus[] HappyPath =
    [
        DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp,
        DeliveryStatus.InTransit, DeliveryStatus.Arrived, DeliveryStatus.Delivered,
    ];

    private static readonly FrozenDictionary<DeliveryStatus, DeliveryStatus[]> Table = BuildTable();

    public static bool IsFinal(DeliveryStatus status) =>
        status is DeliveryStatus.Delivered or DeliveryStatus.Cancelled or DeliveryStatus.Failed;

    /// <summary>The statuses <paramref name="from"/> may move to, happy-path step first.</summary>
    public static IReadOnlyList<DeliveryStatus> NextStatuses(DeliveryStatus from) => Table.TryGetValue(from, out var next) ? next : [];

    public static bool CanMove(DeliveryStatus from, DeliveryStatus to) => Table.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Failed needs a reason (the customer is told why).</summary>
    public static bool RequiresReason(DeliveryStatus to) => to == DeliveryStatus.Failed;

    private static FrozenDictionary<DeliveryStatus, DeliveryStatus[]> BuildTable()
    {
        var table = new Dictionary<DeliveryStatus, DeliveryStatus[]>();
        for (var i = 0; i < HappyPath.Length - 1; i++)
            table[HappyPath[i]] = [HappyPath[i + 1], DeliveryStatus.Cancelled, DeliveryStatus.Failed];
        return table.ToFrozenDictionary();
    }
}
