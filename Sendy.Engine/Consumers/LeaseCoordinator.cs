using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// One per node: finds shards, lets its <see cref="LeaseManager"/> renew, take and steal leases, and
/// runs a <see cref="ShardConsumer"/> per held lease. A worker registers (heartbeat row) before it
/// takes a lease. A stop is bounded by <see cref="ConsumerOptions.ShutdownGrace"/>: consumers finish
/// their batch and release within it, and nothing is waited for past it.
/// </summary>
public sealed class LeaseCoordinator : BackgroundService
{
    private readonly StreamName _stream;
    private readonly IShardReader _reader;
    private readonly ILeaseStore _leases;
    private readonly IPositionBatchWriter _writer;
    private readonly ILivePositionPublisher _live;
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly LeaseManager _manager;
    private readonly IConsumerStatusStore? _status;
    private readonly EngineMetrics? _metrics;
    private readonly DateTimeOffset _startedAt;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abandon = new();
    private readonly StopDeadlines _stop;
    private DateTimeOffset _nextShardSync = DateTimeOffset.MinValue;

    public LeaseCoordinator(StreamName stream, IShardReader reader, ILeaseStore leases, IPositionBatchWriter writer,
        ILivePositionPublisher live, IOptions<ConsumerOptions> options, TimeProvider time, ILoggerFactory loggers,
        IConsumerStatusStore? status = null, EngineMetrics? metrics = null)
    {
        _status = status;
        _metrics = metrics;
        _startedAt = time.GetUtcNow();
        metrics?.Observe(Snapshot);
        _stream = stream;
        _reader = reader;
        _leases = leases;
        _writer = writer;
        _live = live;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LeaseCoordinator>();
        _manager = new LeaseManager(leases, stream.Value, _options.WorkerId, _options.LeaseDuration, time);
        _stop = new StopDeadlines(_options, time);
    }

    public string WorkerId => _options.WorkerId;

    public long Steals => _manager.Steals;

    /// <summary>Shards this worker consumes right now, with their state.</summary>
    public IReadOnlyList<ShardStatus> Snapshot()
    {
        lock (_running)
        {
            var now = _time.GetUtcNow();
            return _running.Values.Where(r => !r.Task.IsCompleted).Select(r => new ShardStatus(r.Consumer.ShardId, r.Consumer.State,
                r.Consumer.MillisBehindLatest, r.Lease.Current.Checkpoint, now - r.Consumer.LastCheckpointAt)).ToList();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(_options.BackoffInitial, _options.BackoffMax);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _abandon.Token);
        var ct = linked.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var delay = _options.RenewInterval;
                try
                {
                    await RunCycleAsync(ct);
                    backoff.Reset();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    delay = backoff.Next();
                    ConsumerLog.CycleFailed(_logger, delay.TotalMilliseconds, ex);
                }
                await Task.Delay(delay, _time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Stops taking and renewing, lets the consumers drain and release, removes the worker row.
    /// Every wait here ends by the stop's deadlines, whatever PostgreSQL or the stream do.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Begin();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Release);
        // Cancelling the loop's token runs its callbacks inline, and Npgsql cancels a command in
        // flight with a round trip of its own: off this path, so a slow database cannot hold it.
        var loop = Task.Run(() => base.StopAsync(bounded.Token), CancellationToken.None);
        try
        {
            await loop.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
        }
        await WaitForConsumersAsync(bounded.Token);
        if (_abandon.IsCancellationRequested || _status is null) return;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Done);
        try
        {
            await _status.RemoveWorkerAsync(WorkerId, done.Token).WaitAsync(done.Token);
        }
        catch (Exception ex)
        {
            ConsumerLog.WorkerRemovalFailed(_logger, WorkerId, ex);
        }
    }

    private async Task WaitForConsumersAsync(CancellationToken deadline)
    {
        Task[] tasks;
        lock (_running) tasks = _running.Values.Select(r => r.Task).ToArray();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(deadline);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            string[] late;
            lock (_running) late = _running.Values.Where(r => !r.Task.IsCompleted).Select(r => r.Lease.ShardId).ToArray();
            if (late.Length > 0) ConsumerLog.StopDeadlinePassed(_logger, string.Join(",", late));
        }
    }

    /// <summary>
    /// Test hook for a crash: stops every consumer as if the process died — no checkpoint, no
    /// release — so peers must wait for the leases to expire.
    /// </summary>
    internal async Task AbandonAsync()
    {
        foreach (var lease in _manager.Held) lease.MarkLost();
        await _abandon.CancelAsync();
        _stop.Now();
        // Every token is cancelled: the loop and the consumers end at their next await, and the
        // test that crashed this node sees no late write from it.
        await base.StopAsync(CancellationToken.None);
        await WaitForConsumersAsync(CancellationToken.None);
    }

    /// <summary>One coordination cycle.</summary>
    internal async Task RunCycleAsync(CancellationToken stoppingToken)
    {
        Reap();
        var now = _time.GetUtcNow();
        if (now >= _nextShardSync)
        {
            await SyncShardsAsync(stoppingToken);
            _nextShardSync = now + _options.ShardSyncInterval;
        }
        await _manager.RenewAsync(stoppingToken, (lease, ex) => ConsumerLog.RenewFailed(_logger, lease.ShardId, ex));
        // As in KCL, a worker is registered before it owns anything: a lease never names a worker
        // the workers table does not list. Unregistered (heartbeat failed), it only renews.
        if (await HeartbeatAsync(stoppingToken))
        {
            var steals = _manager.Steals;
            foreach (var lease in await _manager.TakeAsync(stoppingToken))
                Start(lease, stoppingToken);
            if (_manager.Steals > steals) _metrics?.Stole();
        }
        await ReportLagAsync(stoppingToken);
    }

    /// <summary>The worker's row for the admin view and for registration; false when it could not be written.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken ct)
    {
        if (_status is null) return true;
        try
        {
            await _status.HeartbeatAsync(new WorkerStatus(WorkerId, Environment.MachineName, _startedAt, _time.GetUtcNow(), Snapshot().Count), ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StatusReportFailed(_logger, ex);
            return false;
        }
    }

    /// <summary>Per-shard lag for the admin view; a failure here never stops consuming.</summary>
    private async Task ReportLagAsync(CancellationToken ct)
    {
        if (_status is null) return;
        try
        {
            foreach (var shard in Snapshot())
                await _status.ReportLagAsync(_stream.Value, shard.ShardId, WorkerId, shard.MillisBehindLatest, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StatusReportFailed(_logger, ex);
        }
    }

    private async Task SyncShardsAsync(CancellationToken ct)
    {
        var shards = await _reader.ListShardsAsync(ct);
        foreach (var shard in shards)
        {
            var lease = new Lease(_stream.Value, shard.ShardId, null, 0, null, Checkpoints.TrimHorizon, shard.ParentShardIds, 0);
            if (await _leases.CreateIfMissingAsync(lease, ct))
                ConsumerLog.LeaseCreated(_logger, shard.ShardId);
        }
    }

    private void Start(HeldLease held, CancellationToken stoppingToken)
    {
        var consumer = new ShardConsumer(held, _reader, _leases, _writer, _live, _options, _time,
            _loggers.CreateLogger<ShardConsumer>(), _stop, _metrics);
        var task = Task.Run(async () =>
        {
            try
            {
                await consumer.RunAsync(stoppingToken);
            }
            catch (Exception ex)
            {
                ConsumerLog.ConsumerCrashed(_logger, held.ShardId, ex);
            }
        }, CancellationToken.None);
        lock (_running)
        {
            // A lost predecessor on the same shard is still winding down (it can no longer
            // checkpoint); the new consumer takes its place in the table.
            _running[held.ShardId] = new Running(held, consumer, task);
        }
        ConsumerLog.Took(_logger, WorkerId, held.ShardId);
    }

    /// <summary>Drops finished consumers; a shard that ended triggers an immediate shard sync for its children.</summary>
    private void Reap()
    {
        lock (_running)
        {
            foreach (var (shardId, running) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
            {
                if (running.Consumer.Reason == ShutdownReason.ShardEnded) _nextShardSync = DateTimeOffset.MinValue;
                if (running.Lease.IsLost) _manager.Forget(shardId);
                else _manager.Drop(shardId);
                _running.Remove(shardId);
            }
        }
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    private sealed record Running(HeldLease Lease, ShardConsumer Consumer, Task Task);
}

public sealed record ShardStatus(string ShardId, ShardConsumerState State, long? MillisBehindLatest, string Checkpoint, TimeSpan? CheckpointAge);
