namespace Sendy.Engine.Leasing;

/// <summary>
/// A lease this worker holds. Renewals and checkpoints both move the counter, so they take turns
/// through <see cref="WriteAsync{T}"/>; a lost race marks the lease lost and cancels its consumer.
/// </summary>
public sealed class HeldLease : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lost = new();

    public HeldLease(Lease lease, DateTimeOffset takenAt)
    {
        Current = lease;
        LastRenewedAt = takenAt;
    }

    public Lease Current { get; private set; }

    public string ShardId => Current.ShardId;

    /// <summary>When this worker last renewed (its own clock): past the lease duration it must assume the lease is gone.</summary>
    public DateTimeOffset LastRenewedAt { get; private set; }

    /// <summary>Cancelled once the lease is known lost: the consumer stops without checkpointing.</summary>
    public CancellationToken LostToken => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public async Task<T> WriteAsync<T>(Func<Lease, Task<(Lease Lease, T Result)>> write, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsLost) throw new LeaseLostException(Current.StreamName, Current.ShardId, "write after loss");
            var (lease, result) = await write(Current);
            Current = lease;
            return result;
        }
        catch (LeaseLostException)
        {
            MarkLost();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<Lease> WriteAsync(Func<Lease, Task<Lease>> write, CancellationToken cancellationToken) =>
        WriteAsync(async lease =>
        {
            var next = await write(lease);
            return (next, next);
        }, cancellationToken);

    public async Task RenewAsync(ILeaseStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await WriteAsync(lease => store.RenewAsync(lease, now, cancellationToken), cancellationToken);
        LastRenewedAt = now;
    }

    public void MarkLost()
    {
        try { _lost.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _lost.Dispose();
        _gate.Dispose();
    }
}
