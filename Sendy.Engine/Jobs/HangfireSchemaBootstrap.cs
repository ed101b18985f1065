using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Search;

namespace Sendy.Engine.Jobs;

/// <summary>
/// Installs or upgrades Hangfire's tables in schema "hangfire" at start (Hangfire.PostgreSql's own
/// installer, under its advisory lock), then registers the recurring position export. Done here
/// rather than when the storage is built so that building the app never touches the database.
/// </summary>
public sealed class HangfireSchemaBootstrap(NpgsqlDataSource dataSource, IRecurringJobManager recurring, IOptions<PositionExportOptions> export)
    : IHostedService
{
    public const string Schema = "hangfire";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            PostgreSqlObjectsInstaller.Install(connection, Schema);
        recurring.AddOrUpdate<PositionExportJob>(PositionExportJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            export.Value.PositionExportCron);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
