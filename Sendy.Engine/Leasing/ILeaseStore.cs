namespace Sendy.Engine.Leasing;

/// <summary>The lease table. Writes are compare-and-set on the counter and throw <see cref="LeaseLostException"/> on a lost race.</summary>
public interface ILeaseStore
{
    Task<IReadOnlyList<Lease>> ListAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>Creates the lease if no row exists for the shard; returns true when it created one.</summary>
    Task<bool> CreateIfMissingAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>Takes a lease seen at <paramref name="seen"/>'s counter for <paramref name="owner"/>.</summary>
    Task<Lease> TakeAsync(Lease seen, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Lease> RenewAsync(Lease held, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Lease> CheckpointAsync(Lease held, string checkpoint, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (owner cleared) so a peer can take it at once.</summary>
    Task ReleaseAsync(Lease held, CancellationToken cancellationToken);
}
