using Sendy.Engine.Leasing;

namespace Sendy.Engine.Consumers.Processing;

/// <summary>
/// Moves a shard's checkpoint for its record processor (KCL's RecordProcessorCheckpointer). Every
/// write is a compare-and-set on the lease: once the lease is lost it throws
/// <see cref="LeaseLostException"/> and nothing is written.
/// </summary>
public interface IRecordCheckpointer
{
    /// <summary>Where the shard is checkpointed now.</summary>
    ExtendedSequenceNumber Current { get; }

    /// <summary>Writes the checkpoint on its own.</summary>
    Task CheckpointAsync(ExtendedSequenceNumber at, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/>, which stores the processor's results and the checkpoint at
    /// <paramref name="at"/> (<see cref="ExtendedSequenceNumber.ToCheckpoint"/>) in one transaction:
    /// it gets the lease as held now and returns the lease its compare-and-set left, so the
    /// checkpoint moves exactly when the work commits. A work that checkpointed elsewhere fails.
    /// </summary>
    Task<T> CheckpointWithAsync<T>(ExtendedSequenceNumber at, Func<Lease, CancellationToken, Task<(Lease Lease, T Result)>> work,
        CancellationToken cancellationToken);
}
