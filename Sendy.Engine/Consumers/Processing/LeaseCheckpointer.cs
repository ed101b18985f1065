using Sendy.Engine.Leasing;

namespace Sendy.Engine.Consumers.Processing;

/// <summary>
/// The checkpointer of a held lease: each write goes through <see cref="HeldLease.WriteAsync{T}"/>,
/// so it takes turns with renewals and fails once the lease is lost.
/// </summary>
internal sealed class LeaseCheckpointer(HeldLease lease, ILeaseStore leases, TimeProvider time) : IRecordCheckpointer
{
    public ExtendedSequenceNumber Current => ExtendedSequenceNumber.FromCheckpoint(lease.Current.Checkpoint);

    /// <summary>When this worker last moved the checkpoint (its own clock).</summary>
    public DateTimeOffset? LastCheckpointAt { get; private set; }

    public async Task CheckpointAsync(ExtendedSequenceNumber at, CancellationToken cancellationToken)
    {
        await lease.WriteAsync(l => leases.CheckpointAsync(l, at.ToCheckpoint(), cancellationToken), cancellationToken);
        LastCheckpointAt = time.GetUtcNow();
    }

    public async Task<T> CheckpointWithAsync<T>(ExtendedSequenceNumber at, Func<Lease, CancellationToken, Task<(Lease Lease, T Result)>> work,
        CancellationToken cancellationToken)
    {
        var result = await lease.WriteAsync(async held =>
        {
            var (next, value) = await work(held, cancellationToken);
            if (next.Checkpoint != at.ToCheckpoint())
                throw new InvalidOperationException(
                    $"Shard {held.ShardId}: the work checkpointed at {next.Checkpoint}, not at {at.ToCheckpoint()} as it said it would.");
            return (next, value);
        }, cancellationToken);
        LastCheckpointAt = time.GetUtcNow();
        return result;
    }
}
