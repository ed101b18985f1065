using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// Deletes bookings' idempotency keys older than <see cref="DeliveryOptions.IdempotencyKeysKeptFor"/>,
/// every <see cref="DeliveryOptions.IdempotencyCleanupInterval"/> on every node (the delete is a
/// range on an index; nodes doing it at once delete nothing twice).
/// </summary>
public sealed partial class IdempotencyKeyCleanup(
    IDbContextFactory<SendyDbContext> contexts, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<IdempotencyKeyCleanup> logger)
    : BackgroundService
{
    /// <summary>One pass: the number of keys deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.Value.IdempotencyKeysKeptFor;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdempotencyCleanupInterval, time);
        do
        {
            try
            {
                var deleted = await RunOnceAsync(stoppingToken);
                if (deleted > 0) LogDeleted(deleted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex); // the next tick tries again; keys only linger longer
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired idempotency keys")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired idempotency keys failed; next interval tries again")]
    private partial void LogFailed(Exception exception);
}
