using Microsoft.Extensions.Logging;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// The positions pipeline as a record processor: decodes a page, stores its fixes with the
/// checkpoint in one transaction (<see cref="IPositionBatchWriter"/>), then publishes the stored
/// fixes live (not the flagged ones: they move nothing). Every page is checkpointed with its write, so a stop has nothing left to checkpoint.
/// </summary>
public sealed class PositionRecordProcessor(
    string streamName,
    string shardId,
    IPositionBatchWriter writer,
    ILivePositionPublisher live,
    ILogger logger,
    EngineMetrics? metrics = null) : IRecordProcessor
{
    public Task InitializeAsync(InitializationInput input, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
    {
        var batch = Decode(input.Records);
        BatchWriteResult result;
        using (var store = EngineActivities.StartStep("store"))
        {
            result = await input.Checkpointer.CheckpointWithAsync(new ExtendedSequenceNumber(batch.LastSequenceNumber),
                async (held, ct) =>
                {
                    var written = await writer.WriteAsync(batch, held, ct);
                    return (written.Lease, written);
                }, cancellationToken);
            store?.SetTag("sendy.stored", result.Stored.Count);
            store?.SetTag("sendy.dead_lettered", result.DeadLettered);
            store?.SetTag("sendy.flagged", result.Flagged);
            store?.SetTag("sendy.unplaced", result.Unplaced);
        }
        metrics?.RecordsStored(result.Stored.Count + result.Flagged);
        if (result.Flagged > 0)
        {
            metrics?.Flagged(result.Flagged);
            ConsumerLog.Flagged(logger, shardId, result.Flagged);
        }
        if (result.Unplaced > 0)
        {
            metrics?.Unplaced(result.Unplaced);
            ConsumerLog.Unplaced(logger, shardId, result.Unplaced);
        }
        if (result.Stored.Count > 0)
            metrics?.NewestFixStored(shardId, result.Stored.Max(p => p.RecordedAt));
        if (result.DeadLettered > 0)
        {
            metrics?.DeadLettered(result.DeadLettered);
            ConsumerLog.DeadLettered(logger, shardId, result.DeadLettered);
        }
        using (EngineActivities.StartStep("live push"))
            live.Publish(result.Stored);
    }

    public Task LeaseLostAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken) =>
        input.Checkpointer.CheckpointAsync(ExtendedSequenceNumber.ShardEnd, cancellationToken);

    public Task ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken) => Task.CompletedTask;

    private PositionBatch Decode(IReadOnlyList<ReceivedRecord> records)
    {
        var fixes = new List<ShardFix>(records.Count);
        var poison = new List<PoisonRecord>();
        foreach (var r in records)
        {
            var decoded = PositionRecordCodec.Decode(r.Data.Span, r.ApproximateArrival);
            if (decoded.Position is { } p) fixes.Add(new ShardFix(r.SequenceNumber, r.PartitionKey, p, r.Data));
            else poison.Add(new PoisonRecord(r.SequenceNumber, r.PartitionKey, r.Data, decoded.Error!));
        }
        return new PositionBatch(streamName, shardId, fixes, poison, records[^1].SequenceNumber);
    }
}

/// <summary>One <see cref="PositionRecordProcessor"/> per shard a worker consumes.</summary>
public sealed class PositionRecordProcessorFactory(
    IPositionBatchWriter writer,
    ILivePositionPublisher live,
    ILoggerFactory loggers,
    EngineMetrics? metrics = null) : IRecordProcessorFactory
{
    public IRecordProcessor Create(string streamName, string shardId) =>
        new PositionRecordProcessor(streamName, shardId, writer, live, loggers.CreateLogger<PositionRecordProcessor>(), metrics);
}
