using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// Runs the archiver at start and every <see cref="ArchiveOptions.Interval"/>, one node at a time
/// (an advisory lock): readies the bucket and its lifecycle rule until that has worked once, then
/// archives the due days. A failing store is recorded on the day and tried again with backoff.
/// </summary>
public sealed partial class ArchiveWorker(
    NpgsqlDataSource dataSource,
    PositionArchiver archiver,
    IOptions<ArchiveOptions> options,
    TimeProvider time,
    ILogger<ArchiveWorker> logger) : BackgroundService
{
    /// <summary>"Sendy.Archive" folded into a 64-bit advisory lock key.</summary>
    public const long LockKey = 0x53_41_72_63_68_69_76_65;

    private bool _prepared;

    /// <summary>One pass; false when another node is archiving.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var locked = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } })
            if (!(bool)(await locked.ExecuteScalarAsync(cancellationToken))!) return false;
        try
        {
            if (!_prepared)
            {
                try
                {
                    await archiver.PrepareAsync(cancellationToken);
                    _prepared = true;
                }
                catch (ArchiveStoreException ex)
                {
                    // Shown to admins on the oldest day waiting for the archive; tried again next pass.
                    var due = await archiver.DueAsync(cancellationToken);
                    if (due.Count > 0) await archiver.RecordFailureAsync(due[0], ex.Message, cancellationToken);
                    throw;
                }
            }
            await archiver.ArchiveDueAsync(cancellationToken);
            return true;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = LockKey } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The archive pass failed; the next pass tries again")]
    private partial void LogFailed(Exception exception);
}
