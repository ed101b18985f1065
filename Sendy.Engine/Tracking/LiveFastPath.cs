using Sendy.Engine.Ingest;

namespace Sendy.Engine.Tracking;

/// <summary>
/// The live fast path: a fix the stream acknowledged goes to this node's live fan-out at once and,
/// through <see cref="LiveAnnouncer"/>, to the other nodes, instead of waiting for a consumer to
/// poll (GetRecords at most 5 times a second per shard) and store it. The consumer still publishes
/// what it stores (for fixes from other producers); subscriptions drop the second copy.
/// </summary>
public sealed class LiveFastPath(ILivePositionPublisher local, LiveAnnouncer? announcer = null) : IAcceptedPositionsListener
{
    public void OnAccepted(IReadOnlyList<TruckPosition> positions)
    {
        local.Publish(positions);
        announcer?.Enqueue(positions);
    }
}
