using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Resilience;
using Sendy.Engine.Search;

namespace Sendy.Engine.Jobs;

/// <summary>
/// Installs or upgrades Hangfire's tables in schema "hangfire" at start (Hangfire.PostgreSql's own
/// installer, under its advisory lock), then registers the recurring jobs: the position export
/// and the retention of its OpenSearch indices. Done here rather than when the storage is built so
/// that building the app never touches the database. The registration runs in the background until
/// it succeeds: it takes Hangfire's distributed lock on each job, and a node killed while holding
/// that lock leaves it held until Hangfire's lock timeout; a node starting meanwhile must start, not
/// fail (seen: exit 134 in the SIGKILL fault test). Each job is an upsert, usually registered
/// already by the node before.
/// </summary>
public sealed partial class HangfireSchemaBootstrap(
    NpgsqlDataSource dataSource,
    IRecurringJobManager recurring,
    IOptions<PositionExportOptions> export,
    TimeProvider time,
    ILogger<HangfireSchemaBootstrap> logger) : IHostedService
{
    public const string Schema = "hangfire";

    private readonly CancellationTokenSource _stopping = new();
    private Task _registration = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            PostgreSqlObjectsInstaller.Install(connection, Schema);
        _registration = Task.Run(() => RegisterAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Done once the recurring jobs are registered (tests wait on it).</summary>
    public Task Registration => _registration;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _registration.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the next start registers it.
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        await RegisterAsync(PositionExportJob.RecurringJobId,
            () => recurring.AddOrUpdate<PositionExportJob>(PositionExportJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
                export.Value.PositionExportCron), cancellationToken);
        await RegisterAsync(PositionIndexRetentionJob.RecurringJobId,
            () => recurring.AddOrUpdate<PositionIndexRetentionJob>(PositionIndexRetentionJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
                PositionIndexRetentionJob.Cron), cancellationToken);
    }

    private async Task RegisterAsync(string jobId, Action register, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                register();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var delay = backoff.Next();
                LogLocked(jobId, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recurring job {JobId} not registered yet (locked by another node, or by a node that died until Hangfire's lock timeout, or the database is away): {Reason}; trying again in {DelaySeconds:F0} s")]
    private partial void LogLocked(string jobId, double delaySeconds, string reason);
}
