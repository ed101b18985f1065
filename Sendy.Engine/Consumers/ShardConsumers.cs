using Microsoft.Extensions.Logging;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Consumers;

/// <summary>
/// The shard consumers one worker runs, one per held lease, each with its own record processor:
/// starts them, drops the finished ones, reports their state, and waits for them on a stop only
/// until a deadline.
/// </summary>
internal sealed class ShardConsumers(
    IShardReader reader,
    ILeaseStore leases,
    IRecordProcessorFactory processors,
    ConsumerOptions options,
    TimeProvider time,
    ILoggerFactory loggers,
    StopDeadlines stop)
{
    private readonly ILogger _logger = loggers.CreateLogger<ShardConsumers>();
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);

    public void Start(HeldLease held, CancellationToken stopping)
    {
        var processor = processors.Create(held.Current.StreamName, held.ShardId);
        var consumer = new ShardConsumer(held, reader, leases, processor, options, time, loggers.CreateLogger<ShardConsumer>(), stop);
        var task = Task.Run(async () =>
        {
            try
            {
                await consumer.RunAsync(stopping);
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
    }

    /// <summary>Removes the finished consumers and returns them.</summary>
    public IReadOnlyList<(HeldLease Lease, ShutdownReason Reason)> Reap()
    {
        lock (_running)
        {
            var done = _running.Where(r => r.Value.Task.IsCompleted).ToList();
            foreach (var (shardId, _) in done) _running.Remove(shardId);
            return done.Select(r => (r.Value.Lease, r.Value.Consumer.Reason)).ToList();
        }
    }

    /// <summary>Shards consumed right now, with their state.</summary>
    public IReadOnlyList<ShardStatus> Snapshot()
    {
        lock (_running)
        {
            var now = time.GetUtcNow();
            return _running.Values.Where(r => !r.Task.IsCompleted).Select(r => new ShardStatus(r.Consumer.ShardId, r.Consumer.State,
                r.Consumer.MillisBehindLatest, r.Lease.Current.Checkpoint, now - r.Consumer.LastCheckpointAt)).ToList();
        }
    }

    /// <summary>Waits for every consumer to end, but not past <paramref name="deadline"/>.</summary>
    public async Task WaitAsync(CancellationToken deadline)
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

    private sealed record Running(HeldLease Lease, ShardConsumer Consumer, Task Task);
}

public sealed record ShardStatus(string ShardId, ShardConsumerState State, long? MillisBehindLatest, string Checkpoint, TimeSpan? CheckpointAge);
