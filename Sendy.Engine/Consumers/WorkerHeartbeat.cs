using Microsoft.Extensions.Logging;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Nodes;

namespace Sendy.Engine.Consumers;

/// <summary>
/// This worker's row in the workers table: written before the worker takes any lease (KCL's
/// registration), refreshed every cycle with its lease count and each shard's lag, removed on a
/// graceful stop. Failures never stop consuming; they only stop taking new leases.
/// </summary>
internal sealed class WorkerHeartbeat(string streamName, NodeId worker, IConsumerStatusStore? status, TimeProvider time, ILogger logger)
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    /// <summary>Writes the row; false when it could not (then the worker takes nothing this cycle).</summary>
    public async Task<bool> BeatAsync(int leaseCount, CancellationToken cancellationToken)
    {
        if (status is null) return true;
        try
        {
            await status.HeartbeatAsync(new WorkerStatus(worker.Value, Environment.MachineName, _startedAt, time.GetUtcNow(), leaseCount), cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StatusReportFailed(logger, ex);
            return false;
        }
    }

    /// <summary>Per-shard lag for the admin view.</summary>
    public async Task ReportLagAsync(IReadOnlyList<ShardStatus> shards, CancellationToken cancellationToken)
    {
        if (status is null) return;
        try
        {
            foreach (var shard in shards)
                await status.ReportLagAsync(streamName, shard.ShardId, worker.Value, shard.MillisBehindLatest, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StatusReportFailed(logger, ex);
        }
    }

    /// <summary>Removes the row, giving up at <paramref name="deadline"/> (the row then just goes stale).</summary>
    public async Task RemoveAsync(CancellationToken deadline)
    {
        if (status is null) return;
        try
        {
            await status.RemoveWorkerAsync(worker.Value, deadline).WaitAsync(deadline);
        }
        catch (Exception ex)
        {
            ConsumerLog.WorkerRemovalFailed(logger, worker.Value, ex);
        }
    }
}
