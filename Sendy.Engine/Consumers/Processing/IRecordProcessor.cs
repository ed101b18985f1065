using Sendy.Engine.Streams;

namespace Sendy.Engine.Consumers.Processing;

/// <summary>
/// What a shard's records are for (KCL's ShardRecordProcessor). One instance per shard consumer,
/// called by one consumer at a time, in this order: <see cref="InitializeAsync"/>, then
/// <see cref="ProcessRecordsAsync"/> per page, then exactly one of <see cref="LeaseLostAsync"/>,
/// <see cref="ShardEndedAsync"/> (must checkpoint <see cref="ExtendedSequenceNumber.ShardEnd"/>,
/// else the shard does not end and its children keep waiting) or <see cref="ShutdownRequestedAsync"/>.
/// </summary>
public interface IRecordProcessor
{
    Task InitializeAsync(InitializationInput input, CancellationToken cancellationToken);

    /// <summary>
    /// Handles one page. The token is cancelled when the lease is lost or a stop's drain time ends;
    /// whatever was not checkpointed then is read again by the shard's next owner.
    /// </summary>
    Task ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken);

    /// <summary>Another worker owns the shard now: no checkpoint is possible any more.</summary>
    Task LeaseLostAsync(CancellationToken cancellationToken);

    Task ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken);

    /// <summary>The worker stops; the lease is released afterwards. A last checkpoint is allowed.</summary>
    Task ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken);
}

/// <summary>Makes the processor of each shard a worker starts consuming.</summary>
public interface IRecordProcessorFactory
{
    IRecordProcessor Create(string streamName, string shardId);
}

public sealed record InitializationInput(string ShardId, ExtendedSequenceNumber Checkpoint);

public sealed record ProcessRecordsInput(
    IReadOnlyList<ReceivedRecord> Records,
    long? MillisBehindLatest,
    IRecordCheckpointer Checkpointer);

public sealed record ShardEndedInput(IRecordCheckpointer Checkpointer);

public sealed record ShutdownRequestedInput(IRecordCheckpointer Checkpointer);
