namespace Sendy.Engine.Leasing.InMemory;

/// <summary>The lease table in memory, with the same compare-and-set rules as PostgreSQL (for unit tests and simulations).</summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Stream, string Shard), Lease> _rows = [];

    /// <summary>When set, every call throws, as an unreachable database would.</summary>
    public bool Unavailable { get; set; }

    public Task<IReadOnlyList<Lease>> ListAsync(string streamName, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Lease>>(_rows.Values.Where(l => l.StreamName == streamName)
                .OrderBy(l => l.ShardId, StringComparer.Ordinal).ToList());
    }

    public Task<bool> CreateIfMissingAsync(Lease lease, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_gate)
            return Task.FromResult(_rows.TryAdd((lease.StreamName, lease.ShardId),
                lease with { Owner = null, Counter = 0, LastRenewedAt = null, OwnerSwitchesSinceCheckpoint = 0 }));
    }

    public Task<Lease> TakeAsync(Lease seen, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        Update(seen, "take", requireOwner: false, current => current with
        {
            Owner = owner,
            Counter = current.Counter + 1,
            LastRenewedAt = now,
            OwnerSwitchesSinceCheckpoint = current.OwnerSwitchesSinceCheckpoint + (current.Owner == owner ? 0 : 1),
        });

    public Task<Lease> RenewAsync(Lease held, DateTimeOffset now, CancellationToken cancellationToken) =>
        Update(held, "renew", requireOwner: true, current => current with { Counter = current.Counter + 1, LastRenewedAt = now });

    public Task<Lease> CheckpointAsync(Lease held, string checkpoint, CancellationToken cancellationToken) =>
        Update(held, "checkpoint", requireOwner: true, current => current with
        {
            Counter = current.Counter + 1,
            Checkpoint = checkpoint,
            OwnerSwitchesSinceCheckpoint = 0,
        });

    public async Task ReleaseAsync(Lease held, CancellationToken cancellationToken) =>
        await Update(held, "release", requireOwner: true, current => current with
        {
            Owner = null,
            Counter = current.Counter + 1,
            LastRenewedAt = null,
        });

    private Task<Lease> Update(Lease seen, string operation, bool requireOwner, Func<Lease, Lease> change)
    {
        ThrowIfUnavailable();
        lock (_gate)
        {
            if (!_rows.TryGetValue((seen.StreamName, seen.ShardId), out var current)
                || current.Counter != seen.Counter
                || (requireOwner && current.Owner != seen.Owner))
                throw new LeaseLostException(seen.StreamName, seen.ShardId, operation);
            var next = change(current);
            _rows[(seen.StreamName, seen.ShardId)] = next;
            return Task.FromResult(next);
        }
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable) throw new InvalidOperationException("in-memory lease store switched off");
    }
}
