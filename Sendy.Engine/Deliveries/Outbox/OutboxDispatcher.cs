using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Notifications;

namespace Sendy.Engine.Deliveries.Outbox;

/// <summary>
/// Turns pending outbox rows into Hangfire jobs. Rows are claimed with FOR UPDATE SKIP LOCKED (nodes
/// share the work), each is enqueued, then marked in the same transaction. A crash after the
/// status commit leaves rows pending: the next pass enqueues them. A crash between enqueue and
/// mark enqueues a row twice: the job's idempotency record makes the second run a no-op.
/// </summary>
public sealed partial class OutboxDispatcher(NpgsqlDataSource dataSource, INotificationJobQueue queue, IOptions<OutboxOptions> options,
    TimeProvider time, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const string Claim = """
        SELECT id FROM notification_outbox WHERE enqueued_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
        """;

    private const string Mark = "UPDATE notification_outbox SET enqueued_at = $2, job_id = $3 WHERE id = $1";

    /// <summary>One pass; returns how many rows were enqueued.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var ids = new List<long>();
        await using (var claim = new NpgsqlCommand(Claim, connection, tx) { Parameters = { new() { Value = options.Value.OutboxBatchSize } } })
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetInt64(0));

        var marked = 0;
        try
        {
            foreach (var id in ids)
            {
                var jobId = queue.Enqueue(id);
                await using var mark = new NpgsqlCommand(Mark, connection, tx)
                {
                    Parameters = { new() { Value = id }, new() { Value = time.GetUtcNow() }, new() { Value = jobId } },
                };
                await mark.ExecuteNonQueryAsync(cancellationToken);
                marked++;
            }
        }
        finally
        {
            // Keep the marks of what did reach the queue, even when a later enqueue failed.
            if (marked > 0) await tx.CommitAsync(CancellationToken.None);
        }
        return marked;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var wake = new SemaphoreSlim(0);
        _ = ListenAsync(wake, stoppingToken);
        var delay = options.Value.OutboxPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var n = await DispatchOnceAsync(stoppingToken);
                if (n > 0) LogDispatched(logger, n);
                delay = options.Value.OutboxPollInterval;
                if (n == options.Value.OutboxBatchSize) continue; // more waiting
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Database or job storage down: the rows stay pending; back off and try again.
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                LogDispatchFailed(logger, delay.TotalMilliseconds, ex);
            }
            try
            {
                // A NOTIFY cuts the wait short; the poll covers a listener that is reconnecting.
                await wake.WaitAsync(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Wakes the loop when a status transaction commits outbox rows (best effort; polling covers a lost listener).</summary>
    private async Task ListenAsync(SemaphoreSlim wake, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => { if (wake.CurrentCount == 0) wake.Release(); };
                await using (var listen = new NpgsqlCommand($"LISTEN {DeliveryStatusService.OutboxWakeChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                try { await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox: {Count} notification jobs enqueued")]
    private static partial void LogDispatched(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; rows stay pending, next try in {DelayMs:F0} ms")]
    private static partial void LogDispatchFailed(ILogger logger, double delayMs, Exception exception);
}
