using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// One per node: finds shards, renews held leases, takes free ones up to a fair share, and runs a
/// <see cref="ShardConsumer"/> per held lease. On stop, consumers finish their batch and release.
/// </summary>
public sealed class LeaseCoordinator(
    StreamName stream,
    IShardReader reader,
    ILeaseStore leases,
    IPositionBatchWriter writer,
    ILivePositionPublisher live,
    IOptions<ConsumerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ConsumerOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger<LeaseCoordinator>();
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private DateTimeOffset _nextShardSync = DateTimeOffset.MinValue;

    public string WorkerId => _options.WorkerId;

    /// <summary>Shards this worker consumes right now, with their state.</summary>
    public IReadOnlyList<(string ShardId, ShardConsumerState State, long? MillisBehindLatest)> Snapshot()
    {
        lock (_running)
            return _running.Values.Select(r => (r.Consumer.ShardId, r.Consumer.State, r.Consumer.MillisBehindLatest)).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(_options.BackoffInitial, _options.BackoffMax);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = _options.RenewInterval;
                try
                {
                    await RunCycleAsync(stoppingToken);
                    backoff.Reset();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    delay = backoff.Next();
                    ConsumerLog.CycleFailed(_logger, delay.TotalMilliseconds, ex);
                }
                await Task.Delay(delay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Task[] tasks;
            lock (_running) tasks = _running.Values.Select(r => r.Task).ToArray();
            await Task.WhenAll(tasks);
        }
    }

    /// <summary>One coordination cycle; exposed for tests that drive time by hand.</summary>
    internal async Task RunCycleAsync(CancellationToken stoppingToken)
    {
        Reap();
        var now = time.GetUtcNow();
        if (now >= _nextShardSync)
        {
            await SyncShardsAsync(stoppingToken);
            _nextShardSync = now + _options.ShardSyncInterval;
        }
        await RenewAsync(stoppingToken);
        await TakeAsync(stoppingToken);
    }

    private async Task SyncShardsAsync(CancellationToken ct)
    {
        var shards = await reader.ListShardsAsync(ct);
        foreach (var shard in shards)
        {
            var lease = new Lease(stream.Value, shard.ShardId, null, 0, null, Checkpoints.TrimHorizon, shard.ParentShardIds, 0);
            if (await leases.CreateIfMissingAsync(lease, ct))
                ConsumerLog.LeaseCreated(_logger, shard.ShardId);
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        HeldLease[] held;
        lock (_running) held = _running.Values.Select(r => r.Lease).Where(l => !l.IsLost).ToArray();
        foreach (var lease in held)
        {
            var now = time.GetUtcNow();
            if (now - lease.LastRenewedAt > _options.LeaseDuration)
            {
                // Could not renew in time: a peer may own it by now, so stop before acting as a zombie.
                lease.MarkLost();
                continue;
            }
            try
            {
                await lease.RenewAsync(leases, now, ct);
            }
            catch (LeaseLostException)
            {
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ConsumerLog.RenewFailed(_logger, lease.ShardId, ex);
            }
        }
    }

    private async Task TakeAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var all = (await leases.ListAsync(stream.Value, ct)).Where(l => !l.IsFinished).ToList();
        int heldCount;
        lock (_running) heldCount = _running.Count;

        var liveWorkers = all.Where(l => !l.IsExpired(_options.LeaseDuration, now)).Select(l => l.Owner!)
            .Append(WorkerId).Distinct(StringComparer.Ordinal).Count();
        var target = (int)Math.Ceiling(all.Count / (double)liveWorkers);

        // Ours but not running (its consumer crashed) counts as free too: restart it from its checkpoint.
        var free = all
            .Where(l => l.Owner == WorkerId || l.IsExpired(_options.LeaseDuration, now))
            .OrderBy(l => l.LastRenewedAt ?? DateTimeOffset.MinValue)
            .ToList();
        foreach (var candidate in free)
        {
            if (heldCount >= target) break;
            lock (_running)
                if (_running.ContainsKey(candidate.ShardId)) continue;
            try
            {
                var taken = await leases.TakeAsync(candidate, WorkerId, now, ct);
                Start(taken, now, ct);
                heldCount++;
            }
            catch (LeaseLostException)
            {
                // A peer took it first: fine.
            }
        }
    }

    private void Start(Lease lease, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var held = new HeldLease(lease, now);
        var consumer = new ShardConsumer(held, reader, leases, writer, live, _options, time,
            loggers.CreateLogger<ShardConsumer>());
        var task = Task.Run(async () =>
        {
            try
            {
                await consumer.RunAsync(stoppingToken);
            }
            catch (Exception ex)
            {
                ConsumerLog.ConsumerCrashed(_logger, lease.ShardId, ex);
            }
        }, CancellationToken.None);
        lock (_running) _running[lease.ShardId] = new Running(held, consumer, task);
        ConsumerLog.Took(_logger, lease.ShardId);
    }

    /// <summary>Drops finished consumers; a shard that ended triggers an immediate shard sync for its children.</summary>
    private void Reap()
    {
        lock (_running)
        {
            foreach (var (shardId, running) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
            {
                if (running.Consumer.Reason == ShutdownReason.ShardEnded) _nextShardSync = DateTimeOffset.MinValue;
                running.Lease.Dispose();
                _running.Remove(shardId);
            }
        }
    }

    private sealed record Running(HeldLease Lease, ShardConsumer Consumer, Task Task);
}
