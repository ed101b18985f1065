using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Consumers;

internal static partial class ConsumerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {ShardId} ended; checkpointed SHARD_END")]
    public static partial void ShardEnded(ILogger logger, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on shard {ShardId} lost; stopping without checkpoint")]
    public static partial void LeaseLost(ILogger logger, string shardId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {ShardId} waits for parent shards {Parents} to reach SHARD_END")]
    public static partial void WaitingOnParents(ILogger logger, string shardId, string parents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking parents of shard {ShardId} failed; will retry")]
    public static partial void ParentCheckFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Iterator of shard {ShardId} expired; re-acquiring from the checkpoint")]
    public static partial void IteratorExpired(ILogger logger, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading shard {ShardId} failed; retrying from the checkpoint in {DelayMs:F0} ms")]
    public static partial void ReadFailed(ILogger logger, string shardId, double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {ShardId}: {Count} record(s) dead-lettered")]
    public static partial void DeadLettered(ILogger logger, string shardId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {ShardId}: {Count} fix(es) stored flagged as impossible jumps")]
    public static partial void Flagged(ILogger logger, string shardId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {ShardId}: {Count} fix(es) for a day without a partition, kept in positions_default until the partition job places them")]
    public static partial void Unplaced(ILogger logger, string shardId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released lease on shard {ShardId}")]
    public static partial void Released(ILogger logger, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing lease on shard {ShardId} failed; it will expire instead")]
    public static partial void ReleaseFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} took lease on shard {ShardId}")]
    public static partial void Took(ILogger logger, string workerId, string shardId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created lease for new shard {ShardId}")]
    public static partial void LeaseCreated(ILogger logger, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease coordination cycle failed; retrying in {DelayMs:F0} ms")]
    public static partial void CycleFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing lease on shard {ShardId} failed")]
    public static partial void RenewFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Consumer of shard {ShardId} crashed")]
    public static partial void ConsumerCrashed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {ShardId}: the stream does not know checkpoint {Checkpoint} (it was recreated); restarting the shard from TRIM_HORIZON, records read twice are stored once")]
    public static partial void CheckpointRejected(ILogger logger, string shardId, string checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Record processor of shard {ShardId} failed while shutting down; the lease is handled as usual")]
    public static partial void ProcessorShutdownFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop deadline passed with shard consumers still winding down ({ShardIds}); their leases expire instead of being released")]
    public static partial void StopDeadlinePassed(ILogger logger, string shardIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing worker {WorkerId} from the workers table failed or ran past the stop deadline; its heartbeat goes stale instead")]
    public static partial void WorkerRemovalFailed(ILogger logger, string workerId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting consumer status failed; consuming continues")]
    public static partial void StatusReportFailed(ILogger logger, Exception exception);
}
