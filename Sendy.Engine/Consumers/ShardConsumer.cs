using Microsoft.Extensions.Logging;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Resilience;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Consumers;

/// <summary>
/// Reads one leased shard from its checkpoint and hands each page to the shard's
/// <see cref="IRecordProcessor"/>, as an explicit state machine (KCL's: waiting on parent shards,
/// initializing, processing, shutting down, shutdown complete). Errors are weather: back off,
/// re-acquire the iterator from the checkpoint, never skip. On stop it reads no further page, lets
/// a page in flight finish until the drain deadline and releases its lease until the release
/// deadline.
/// </summary>
internal sealed class ShardConsumer(
    HeldLease lease,
    IShardReader reader,
    ILeaseStore leases,
    IRecordProcessor processor,
    ConsumerOptions options,
    TimeProvider time,
    ILogger logger,
    StopDeadlines stop)
{
    private readonly Backoff _backoff = new(options.BackoffInitial, options.BackoffMax);
    private readonly LeaseCheckpointer _checkpointer = new(lease, leases, time);
    private DateTimeOffset _lastCall = DateTimeOffset.MinValue;

    public string ShardId => lease.ShardId;
    public ShardConsumerState State { get; private set; } = ShardConsumerState.WaitingOnParentShards;
    public ShutdownReason Reason { get; private set; }
    public long? MillisBehindLatest { get; private set; }
    public DateTimeOffset? LastCheckpointAt => _checkpointer.LastCheckpointAt;

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease.LostToken);
        var ct = linked.Token;
        using var release = new OwnDeadline(stop.Release);
        try
        {
            await WaitForParentsAsync(ct);
            State = ShardConsumerState.Initializing;
            await processor.InitializeAsync(new InitializationInput(ShardId, _checkpointer.Current), ct);
            await ProcessAsync(ct);
            State = ShardConsumerState.ShuttingDown;
            Reason = ShutdownReason.ShardEnded;
            if (_checkpointer.Current != ExtendedSequenceNumber.ShardEnd)
                await processor.ShardEndedAsync(new ShardEndedInput(_checkpointer), ct);
            if (_checkpointer.Current != ExtendedSequenceNumber.ShardEnd)
                throw new InvalidOperationException($"Shard {ShardId} ended but its record processor did not checkpoint SHARD_END; its children wait until it does.");
            ConsumerLog.ShardEnded(logger, ShardId);
        }
        catch (Exception ex) when (ex is LeaseLostException || (ex is OperationCanceledException && lease.IsLost))
        {
            Reason = ShutdownReason.LeaseLost;
            ConsumerLog.LeaseLost(logger, ShardId);
            await TellAsync(() => processor.LeaseLostAsync(release.Token));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            State = ShardConsumerState.ShuttingDown;
            Reason = ShutdownReason.Requested;
            await TellAsync(() => processor.ShutdownRequestedAsync(new ShutdownRequestedInput(_checkpointer), release.Token));
            await ReleaseAsync(release.Token);
        }
        finally
        {
            State = ShardConsumerState.ShutdownComplete;
        }
    }

    /// <summary>A processor failing in its last call does not keep the lease from being released.</summary>
    private async Task TellAsync(Func<Task> call)
    {
        try { await call(); }
        catch (Exception ex) { ConsumerLog.ProcessorShutdownFailed(logger, ShardId, ex); }
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
                    var checkpoint = _checkpointer.Current;
                    if (checkpoint == ExtendedSequenceNumber.ShardEnd) return;
                    try
                    {
                        iterator = await reader.GetShardIteratorAsync(ShardId, StartFrom(checkpoint), ct);
                    }
                    catch (StreamValidationException) when (!checkpoint.IsSentinel)
                    {
                        // The stream does not know this sequence number: it was deleted and recreated
                        // (kinesalite restarts empty; so does a re-provisioned stream). Everything in it is
                        // newer than our checkpoint, so start over at its beginning: nothing skipped, and
                        // anything read twice is stored once. Expected after a recreate: one line, no trace.
                        ConsumerLog.CheckpointRejected(logger, ShardId, checkpoint.ToCheckpoint());
                        await _checkpointer.CheckpointAsync(ExtendedSequenceNumber.TrimHorizon, ct);
                        continue;
                    }
                    State = ShardConsumerState.Processing;
                }

                await PaceAsync(ct);
                var asked = time.GetUtcNow();
                var page = await reader.GetRecordsAsync(iterator, options.MaxRecordsPerCall, ct);
                MillisBehindLatest = page.MillisBehindLatest;
                if (page.Records.Count > 0)
                {
                    using var trace = EngineActivities.StartBatch(lease.Current.StreamName, ShardId, page.Records.Count, asked, time.GetUtcNow());
                    await ProcessPageAsync(page);
                }
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

    private async Task ProcessPageAsync(RecordPage page)
    {
        // Not cancelled by the stop itself: a page in flight finishes, unless the lease is lost or
        // the drain deadline passes (then what it did not checkpoint is read again later).
        using var processing = new OwnDeadline(lease.LostToken, stop.Drain);
        await processor.ProcessRecordsAsync(new ProcessRecordsInput(page.Records, page.MillisBehindLatest, _checkpointer), processing.Token);
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

    private async Task PaceAsync(CancellationToken ct)
    {
        var wait = _lastCall + options.GetRecordsInterval - time.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct);
        _lastCall = time.GetUtcNow();
    }

    private async Task ReleaseAsync(CancellationToken deadline)
    {
        // The own token follows the shared deadline a moment later, from its own thread: a release
        // must not slip into that moment (a crashed node, StopDeadlines.Now, releases nothing).
        if (stop.Release.IsCancellationRequested) return;
        try
        {
            await lease.WriteAsync(async l =>
            {
                await leases.ReleaseAsync(l, deadline);
                return l with { Owner = null };
            }, deadline);
            ConsumerLog.Released(logger, ShardId);
        }
        catch (Exception ex)
        {
            // Not fatal: the lease expires after the lease duration and a peer takes it then.
            ConsumerLog.ReleaseFailed(logger, ShardId, ex);
        }
    }

    /// <summary>
    /// Past a plain record: after it. Inside an aggregated record (sub-sequence above zero): at it,
    /// so the processor sees the record again and skips the sub-records it has checkpointed.
    /// </summary>
    private static IteratorStart StartFrom(ExtendedSequenceNumber checkpoint) => checkpoint.SequenceNumber switch
    {
        Checkpoints.TrimHorizon => IteratorStart.TrimHorizon,
        Checkpoints.Latest => IteratorStart.Latest,
        _ when checkpoint.SubSequenceNumber > 0 => IteratorStart.At(checkpoint.SequenceNumber),
        _ => IteratorStart.After(checkpoint.SequenceNumber),
    };
}
