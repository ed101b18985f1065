using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Notifications;
using Sendy.Engine.Resilience;
using Sendy.Engine.Storage;

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
        var listening = PostgresListener.ListenAsync(dataSource, DeliveryStatusService.OutboxWakeChannel,
            _ => { if (wake.CurrentCount == 0) wake.Release(); },
            (delayMs, ex) => LogListenerLost(logger, delayMs, ex), time, stoppingToken);
        try
        {
            await DispatchUntilStoppedAsync(wake, stoppingToken);
        }
        finally
        {
            try { await listening; }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }
    }

    private async Task DispatchUntilStoppedAsync(SemaphoreSlim wake, CancellationToken stoppingToken)
    {
        var backoff = new Backoff(options.Value.OutboxPollInterval, TimeSpan.FromSeconds(30));
        var delay = options.Value.OutboxPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var n = await DispatchOnceAsync(stoppingToken);
                if (n > 0) LogDispatched(logger, n);
                backoff.Reset();
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
                delay = backoff.Next();
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox: {Count} notification jobs enqueued")]
    private static partial void LogDispatched(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox wake-up listener lost its connection (polling goes on); reconnecting in {DelayMs:F0} ms")]
    private static partial void LogListenerLost(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; rows stay pending, next try in {DelayMs:F0} ms")]
    private static partial void LogDispatchFailed(ILogger logger, double delayMs, Exception exception);
}
