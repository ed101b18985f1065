using Sendy.Engine.Quality;
using Sendy.Engine.Ingest;

namespace Sendy.Engine.Tracking;

/// <summary>
/// The live fast path: a fix the stream acknowledged goes to this node's live fan-out at once and,
/// through <see cref="LiveAnnouncer"/>, to the other nodes, instead of waiting for a consumer to
/// poll (GetRecords at most 5 times a second per shard) and store it. The consumer still publishes
/// what it stores (for fixes from other producers); subscriptions drop the second copy. A fix that
/// looks like an impossible jump (<see cref="LiveFixGate"/>) is left to the consumer's judgement.
/// </summary>
public sealed class LiveFastPath(ILivePositionPublisher local, LiveAnnouncer? announcer = null, LiveFixGate? gate = null)
    : IAcceptedPositionsListener
{
    public void OnAccepted(IReadOnlyList<TruckPosition> positions)
    {
        var passing = gate is null ? positions : gate.Passing(positions);
        if (passing.Count == 0) return;
        local.Publish(passing);
        announcer?.Enqueue(passing);
    }
}
