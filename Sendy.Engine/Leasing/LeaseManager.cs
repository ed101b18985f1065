using Sendy.Engine.Nodes;

namespace Sendy.Engine.Leasing;

/// <summary>
/// One worker's leases: renews them, takes and steals per <see cref="LeaseTaker"/>, and notices
/// losses. It runs no consumers (the coordinator does), so simulations can drive it directly.
/// </summary>
public sealed class LeaseManager(ILeaseStore store, string streamName, NodeId worker, TimeSpan leaseDuration, TimeProvider time)
{
    private readonly Dictionary<string, HeldLease> _held = new(StringComparer.Ordinal);

    public NodeId Worker => worker;

    public IReadOnlyCollection<HeldLease> Held
    {
        get { lock (_held) return _held.Values.ToList(); }
    }

    /// <summary>Steals made by this worker since it started.</summary>
    public long Steals { get; private set; }

    /// <summary>
    /// Renews every held lease. A lease not renewed within the lease duration by our own clock is
    /// assumed gone (a peer may own it by now) and marked lost so its consumer stops as a zombie.
    /// Returns the leases found lost in this call.
    /// </summary>
    public async Task<IReadOnlyList<HeldLease>> RenewAsync(CancellationToken cancellationToken, Action<HeldLease, Exception>? onError = null)
    {
        var lost = new List<HeldLease>();
        foreach (var lease in Held.Where(l => !l.IsLost))
        {
            var now = time.GetUtcNow();
            if (now - lease.LastRenewedAt > leaseDuration)
            {
                lease.MarkLost();
                lost.Add(lease);
                continue;
            }
            try
            {
                await lease.RenewAsync(store, now, cancellationToken);
            }
            catch (LeaseLostException)
            {
                lost.Add(lease);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                onError?.Invoke(lease, ex); // e.g. database down: retried next cycle until overdue
            }
        }
        return lost;
    }

    /// <summary>Takes (and at most one steal) per KCL's rules; returns the newly held leases.</summary>
    public async Task<IReadOnlyList<HeldLease>> TakeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = await store.ListAsync(streamName, cancellationToken);
        var acquired = new List<HeldLease>();

        // Rows that name us but that we do not hold (our consumer crashed, or we restarted under the
        // same id): take them back from their checkpoint.
        foreach (var orphan in all.Where(l => l.Owner == worker.Value && !l.IsFinished && !IsHeld(l.ShardId)))
            await TryTakeAsync(orphan, now, acquired, cancellationToken);

        var plan = LeaseTaker.Plan(all, worker.Value, leaseDuration, now);
        foreach (var lease in plan.Take.Where(l => !IsHeld(l.ShardId)))
            await TryTakeAsync(lease, now, acquired, cancellationToken);
        if (plan.Steal is { } victim && await TryTakeAsync(victim, now, acquired, cancellationToken))
            Steals++;
        return acquired;
    }

    /// <summary>Drops a lease from the held set (its consumer has ended).</summary>
    public void Forget(string shardId)
    {
        lock (_held)
        {
            // Only a lost lease: if the shard was taken again, the new lease stays.
            if (_held.TryGetValue(shardId, out var lease) && lease.IsLost) _held.Remove(shardId);
        }
    }

    /// <summary>Drops a lease whose consumer ended for good (shard end, release).</summary>
    public void Drop(string shardId)
    {
        lock (_held) _held.Remove(shardId);
    }

    /// <summary>
    /// Held and not lost. A lost lease waits in the set until its consumer has stopped, but it must
    /// not stop us from taking the shard again the moment it is free.
    /// </summary>
    public bool IsHeld(string shardId)
    {
        lock (_held) return _held.TryGetValue(shardId, out var lease) && !lease.IsLost;
    }

    private async Task<bool> TryTakeAsync(Lease seen, DateTimeOffset now, List<HeldLease> acquired, CancellationToken cancellationToken)
    {
        try
        {
            var taken = await store.TakeAsync(seen, worker.Value, now, cancellationToken);
            var held = new HeldLease(taken, now);
            lock (_held) _held[taken.ShardId] = held;
            acquired.Add(held);
            return true;
        }
        catch (LeaseLostException)
        {
            return false; // a peer moved it first: fine, next cycle sees the new state
        }
    }
}
