using Microsoft.Extensions.Logging;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Consumers;

/// <summary>
/// KCL's shard sync: every shard the stream lists gets a lease row (from TRIM_HORIZON, with its
/// parents, so a child waits for them). Existing rows are never touched.
/// </summary>
internal sealed class ShardSyncer(StreamName stream, IShardReader reader, ILeaseStore leases, ILogger logger)
{
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        foreach (var shard in await reader.ListShardsAsync(cancellationToken))
        {
            var lease = new Lease(stream.Value, shard.ShardId, null, 0, null, Checkpoints.TrimHorizon, shard.ParentShardIds, 0);
            if (await leases.CreateIfMissingAsync(lease, cancellationToken))
                ConsumerLog.LeaseCreated(logger, shard.ShardId);
        }
    }
}
