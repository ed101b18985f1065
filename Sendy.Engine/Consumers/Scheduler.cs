using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Nodes;
using Sendy.Engine.Resilience;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Consumers;

/// <summary>
/// One per node, after KCL's Scheduler: every cycle it syncs shards (<see cref="ShardSyncer"/>),
/// renews held leases (<see cref="LeaseManager"/>), registers the worker
/// (<see cref="WorkerHeartbeat"/>) before it takes or steals leases, and runs a shard consumer per
/// lease taken (<see cref="ShardConsumers"/>) with the record processor the factory makes. A stop
/// is bounded by <see cref="ConsumerOptions.ShutdownGrace"/>: consumers finish their page and
/// release within it, and nothing is waited for past it.
/// </summary>
public sealed class Scheduler : BackgroundService
{
    private readonly ConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LeaseManager _manager;
    private readonly ShardSyncer _shards;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly ShardConsumers _consumers;
    private readonly EngineMetrics? _metrics;
    private readonly StopDeadlines _stop;
    private readonly CancellationTokenSource _abandon = new();
    private DateTimeOffset _nextShardSync = DateTimeOffset.MinValue;

    public Scheduler(StreamName stream, IShardReader reader, ILeaseStore leases, IRecordProcessorFactory processors,
        IOptions<ConsumerOptions> options, TimeProvider time, ILoggerFactory loggers,
        IConsumerStatusStore? status = null, EngineMetrics? metrics = null)
    {
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<Scheduler>();
        _metrics = metrics;
        _stop = new StopDeadlines(_options, time);
        Node = new NodeId(_options.WorkerId);
        _manager = new LeaseManager(leases, stream.Value, Node, _options.LeaseDuration, time);
        _shards = new ShardSyncer(stream, reader, leases, _logger);
        _heartbeat = new WorkerHeartbeat(stream.Value, Node, status, time, _logger);
        _consumers = new ShardConsumers(reader, leases, processors, _options, time, loggers, _stop);
        metrics?.Observe(Snapshot);
    }

    /// <summary>This node, the owner of the leases it takes (Sendy:Consumer:WorkerId).</summary>
    public NodeId Node { get; }

    public long Steals => _manager.Steals;

    /// <summary>Shards this worker consumes right now, with their state.</summary>
    public IReadOnlyList<ShardStatus> Snapshot() => _consumers.Snapshot();

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
        using var bounded = new OwnDeadline(cancellationToken, _stop.Release);
        // Cancelling the loop's token runs its callbacks inline, and Npgsql cancels a command in
        // flight with a round trip of its own: off this path, so a slow database cannot hold it.
        var loop = Task.Run(() => base.StopAsync(bounded.Token), CancellationToken.None);
        try
        {
            await loop.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (bounded.Token.IsCancellationRequested)
        {
        }
        await _consumers.WaitAsync(bounded.Token);
        if (_abandon.IsCancellationRequested) return;
        using var done = new OwnDeadline(cancellationToken, _stop.Done);
        await _heartbeat.RemoveAsync(done.Token);
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
        await _consumers.WaitAsync(CancellationToken.None);
    }

    /// <summary>One scheduling cycle.</summary>
    internal async Task RunCycleAsync(CancellationToken stoppingToken)
    {
        Reap();
        var now = _time.GetUtcNow();
        if (now >= _nextShardSync)
        {
            await _shards.SyncAsync(stoppingToken);
            _nextShardSync = now + _options.ShardSyncInterval;
        }
        await _manager.RenewAsync(stoppingToken, (lease, ex) => ConsumerLog.RenewFailed(_logger, lease.ShardId, ex));
        // As in KCL, a worker is registered before it owns anything: a lease never names a worker
        // the workers table does not list. Unregistered (heartbeat failed), it only renews.
        if (await _heartbeat.BeatAsync(Snapshot().Count, stoppingToken))
        {
            var steals = _manager.Steals;
            foreach (var lease in await _manager.TakeAsync(stoppingToken))
            {
                _consumers.Start(lease, stoppingToken);
                ConsumerLog.Took(_logger, Node.Value, lease.ShardId);
            }
            if (_manager.Steals > steals) _metrics?.Stole();
        }
        await _heartbeat.ReportLagAsync(Snapshot(), stoppingToken);
    }

    /// <summary>Forgets finished consumers' leases; a shard that ended triggers an immediate shard sync for its children.</summary>
    private void Reap()
    {
        foreach (var (lease, reason) in _consumers.Reap())
        {
            if (reason == ShutdownReason.ShardEnded) _nextShardSync = DateTimeOffset.MinValue;
            if (lease.IsLost) _manager.Forget(lease.ShardId);
            else _manager.Drop(lease.ShardId);
        }
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }
}
