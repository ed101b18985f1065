using Sendy.Engine.Leasing;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>A decoded GetRecords page of one shard: good fixes, poison records, and where it ends.</summary>
public sealed record PositionBatch(
    string StreamName,
    string ShardId,
    IReadOnlyList<ShardFix> Fixes,
    IReadOnlyList<PoisonRecord> Poison,
    string LastSequenceNumber);

/// <summary>A decoded fix with where it came from (kept to dead-letter the original bytes if it cannot be stored).</summary>
public sealed record ShardFix(string SequenceNumber, string PartitionKey, TruckPosition Position, ReadOnlyMemory<byte> Data);

public sealed record PoisonRecord(string SequenceNumber, string? PartitionKey, ReadOnlyMemory<byte> Data, string Reason);

/// <summary>
/// What a batch write did: the lease after the checkpoint, the fixes now stored that move their
/// truck (these go live), how many went to dead letters, and how many were stored flagged (an
/// impossible jump, see Quality/FixJudge): kept, but moving nothing.
/// </summary>
/// <param name="Unplaced">New fixes whose day had no partition: stored in <c>positions_default</c> until the partition job gives their day one.</param>
public sealed record BatchWriteResult(Lease Lease, IReadOnlyList<TruckPosition> Stored, int DeadLettered, int Flagged = 0, int Unplaced = 0);

/// <summary>Persists a batch and moves the checkpoint to its last record in one transaction, conditional on the lease.</summary>
public interface IPositionBatchWriter
{
    Task<BatchWriteResult> WriteAsync(PositionBatch batch, Lease held, CancellationToken cancellationToken);
}
