using Microsoft.Extensions.Logging;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// Reads one leased shard from its checkpoint, persists each page with its checkpoint, publishes the
/// stored fixes live. Errors are weather: back off, re-acquire the iterator from the checkpoint, never skip.
/// On stop it reads no further page, lets a batch in flight finish until the drain deadline (a batch
/// cut off there rolls back with its checkpoint) and releases its lease until the release deadline.
/// </summary>
internal sealed class ShardConsumer(
    HeldLease lease,
    IShardReader reader,
    ILeaseStore leases,
    IPositionBatchWriter writer,
    ILivePositionPublisher live,
    ConsumerOptions options,
    TimeProvider time,
    ILogger logger,
    StopDeadlines stop,
    Status.EngineMetrics? metrics = null)
{
    private readonly Backoff _backoff = new(options.BackoffInitial, options.BackoffMax);
    private DateTimeOffset _lastCall = DateTimeOffset.MinValue;

    public string ShardId => lease.ShardId;
    public ShardConsumerState State { get; private set; } = ShardConsumerState.WaitingOnParentShards;
    public ShutdownReason Reason { get; private set; }
    public long? MillisBehindLatest { get; private set; }
    public DateTimeOffset? LastCheckpointAt { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease.LostToken);
        var ct = linked.Token;
        try
        {
            await WaitForParentsAsync(ct);
            State = ShardConsumerState.Initializing;
            await ProcessAsync(ct);
            State = ShardConsumerState.ShuttingDown;
            Reason = ShutdownReason.ShardEnded;
            await lease.WriteAsync(l => leases.CheckpointAsync(l, Checkpoints.ShardEnd, ct), ct);
            ConsumerLog.ShardEnded(logger, ShardId);
        }
        catch (Exception ex) when (ex is LeaseLostException || (ex is OperationCanceledException && lease.IsLost))
        {
            Reason = ShutdownReason.LeaseLost;
            ConsumerLog.LeaseLost(logger, ShardId);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            State = ShardConsumerState.ShuttingDown;
            Reason = ShutdownReason.Requested;
            await ReleaseAsync();
        }
        finally
        {
            State = ShardConsumerState.ShutdownComplete;
        }
    }

    private async Task WaitForParentsAsync(CancellationToken ct)
    {
        var parents = lease.Current.ParentShardIds;
        while (parents.Count > 0)
        {
            try
            {
                var all = await leases.ListAsync(lease.Current.StreamName, ct);
                // A parent with no lease row is past retention (or never ours to read): nothing left to wait for.
                var pending = all.Where(l => parents.Contains(l.ShardId) && !l.IsFinished).Select(l => l.ShardId).ToList();
                if (pending.Count == 0) return;
                ConsumerLog.WaitingOnParents(logger, ShardId, string.Join(",", pending));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ConsumerLog.ParentCheckFailed(logger, ShardId, ex);
            }
            await Task.Delay(options.ParentPollInterval, time, ct);
        }
    }

    private async Task ProcessAsync(CancellationToken ct)
    {
        string? iterator = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (iterator is null)
                {
                    var checkpoint = lease.Current.Checkpoint;
                    if (checkpoint == Checkpoints.ShardEnd) return;
                    try
                    {
                        iterator = await reader.GetShardIteratorAsync(ShardId, StartFrom(checkpoint), ct);
                    }
                    catch (StreamValidationException ex) when (Checkpoints.IsSequenceNumber(checkpoint))
                    {
                        // The stream does not know this sequence number: it was deleted and recreated
                        // (kinesalite restarts empty; so does a re-provisioned stream). Everything in it is
                        // newer than our checkpoint, so start over at its beginning: nothing skipped, and
                        // anything read twice is stored once.
                        ConsumerLog.CheckpointRejected(logger, ShardId, checkpoint, ex);
                        await lease.WriteAsync(l => leases.CheckpointAsync(l, Checkpoints.TrimHorizon, ct), ct);
                        continue;
                    }
                    State = ShardConsumerState.Processing;
                }

                await PaceAsync(ct);
                var page = await reader.GetRecordsAsync(iterator, options.MaxRecordsPerCall, ct);
                MillisBehindLatest = page.MillisBehindLatest;
                if (page.Records.Count > 0)
                    await PersistAsync(page.Records);
                _backoff.Reset();
                if (page.NextIterator is null)
                {
                    await CreateChildLeasesAsync(page.ChildShards, ct);
                    return;
                }
                iterator = page.NextIterator;
            }
            catch (ExpiredIteratorException)
            {
                ConsumerLog.IteratorExpired(logger, ShardId);
                iterator = null;
            }
            catch (Exception ex) when (ex is not (LeaseLostException or OperationCanceledException))
            {
                var delay = _backoff.Next();
                ConsumerLog.ReadFailed(logger, ShardId, delay.TotalMilliseconds, ex);
                iterator = null;
                await Task.Delay(delay, time, ct);
            }
        }
    }

    private async Task PersistAsync(IReadOnlyList<ReceivedRecord> records)
    {
        var batch = Decode(records);
        // Not cancelled by the stop itself: a batch in flight finishes, unless the lease is lost or
        // the drain deadline passes (then it rolls back with its checkpoint and is read again later).
        using var write = CancellationTokenSource.CreateLinkedTokenSource(lease.LostToken, stop.Drain);
        var result = await lease.WriteAsync(async l =>
        {
            var r = await writer.WriteAsync(batch, l, write.Token);
            return (r.Lease, r);
        }, write.Token);
        LastCheckpointAt = time.GetUtcNow();
        metrics?.RecordsStored(result.Stored.Count);
        if (result.DeadLettered > 0)
        {
            metrics?.DeadLettered(result.DeadLettered);
            ConsumerLog.DeadLettered(logger, ShardId, result.DeadLettered);
        }
        live.Publish(result.Stored);
    }

    /// <summary>
    /// AWS names the children of a closed shard in its last GetRecords answer: lease them at once
    /// (kinesalite does not, and ListShards finds them on the next sync instead).
    /// </summary>
    private async Task CreateChildLeasesAsync(IReadOnlyList<ChildShardDescription> children, CancellationToken ct)
    {
        foreach (var child in children)
            await leases.CreateIfMissingAsync(new Lease(lease.Current.StreamName, child.ShardId, null, 0, null,
                Checkpoints.TrimHorizon, child.ParentShards, 0), ct);
    }

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
        return new PositionBatch(lease.Current.StreamName, ShardId, fixes, poison, records[^1].SequenceNumber);
    }

    private async Task PaceAsync(CancellationToken ct)
    {
        var wait = _lastCall + options.GetRecordsInterval - time.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct);
        _lastCall = time.GetUtcNow();
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await lease.WriteAsync(async l =>
            {
                await leases.ReleaseAsync(l, stop.Release);
                return l with { Owner = null };
            }, stop.Release);
            ConsumerLog.Released(logger, ShardId);
        }
        catch (Exception ex)
        {
            // Not fatal: the lease expires after the lease duration and a peer takes it then.
            ConsumerLog.ReleaseFailed(logger, ShardId, ex);
        }
    }

    private static IteratorStart StartFrom(string checkpoint) => checkpoint switch
    {
        Checkpoints.TrimHorizon => IteratorStart.TrimHorizon,
        Checkpoints.Latest => IteratorStart.Latest,
        _ => IteratorStart.After(checkpoint),
    };
}
