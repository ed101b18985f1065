namespace Sendy.Engine.Consumers;

/// <summary>KCL's shard consumer states.</summary>
public enum ShardConsumerState
{
    WaitingOnParentShards,
    Initializing,
    Processing,
    ShuttingDown,
    ShutdownComplete,
}

public enum ShutdownReason
{
    None,
    /// <summary>Someone else holds the lease now: stop without checkpointing (zombie).</summary>
    LeaseLost,
    /// <summary>The shard is closed and fully read: checkpoint SHARD_END.</summary>
    ShardEnded,
    /// <summary>This node is stopping: checkpoint and release the lease so a peer takes it at once.</summary>
    Requested,
}
