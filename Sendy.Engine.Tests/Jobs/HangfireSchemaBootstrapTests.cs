using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Jobs;
using Sendy.Engine.Search;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Jobs;

/// <summary>
/// A node killed while it held Hangfire's lock on the recurring export left the lock row behind,
/// and the next node's start failed on it (exit 134 in the SIGKILL fault test, flake-hunt run 8 on
/// 2026-12-05). Starting must not wait for that lock; the registration follows once it is free.
/// </summary>
public sealed class HangfireSchemaBootstrapTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private const string LockResource = "hangfire:lock:recurring-job:" + PositionExportJob.RecurringJobId;

    [Fact]
    public async Task a_lock_left_by_a_dead_node_does_not_stop_the_start_and_the_jobs_are_registered_once_it_is_free()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = HangfireSchemaBootstrap.Schema, PrepareSchemaIfNecessary = false };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(db.ConnectionString, options), options);
        await using (var connection = await db.DataSource.OpenConnectionAsync())
            PostgreSqlObjectsInstaller.Install(connection, HangfireSchemaBootstrap.Schema);
        await db.ExecuteAsync("DELETE FROM hangfire.hash WHERE key = $1 OR key = $2",
            "recurring-job:" + PositionExportJob.RecurringJobId, "recurring-job:" + PositionIndexRetentionJob.RecurringJobId);
        await db.ExecuteAsync("INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES ($1, 0, now())", LockResource);

        var bootstrap = new HangfireSchemaBootstrap(db.DataSource, new RecurringJobManager(storage),
            Options.Create(new PositionExportOptions()), TimeProvider.System, NullLogger<HangfireSchemaBootstrap>.Instance);
        await bootstrap.StartAsync(default); // returns although the lock is held
        Assert.False(bootstrap.Registration.IsCompleted, "registered while the lock row was held");

        await db.ExecuteAsync("DELETE FROM hangfire.lock WHERE resource = $1", LockResource); // Hangfire's lock timeout, shortened
        await bootstrap.Registration.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(DISTINCT key) FROM hangfire.hash WHERE key = $1",
            "recurring-job:" + PositionExportJob.RecurringJobId));
        Assert.Equal(PositionIndexRetentionJob.Cron, await db.ScalarAsync<string>(
            "SELECT value FROM hangfire.hash WHERE key = $1 AND field = 'Cron'", "recurring-job:" + PositionIndexRetentionJob.RecurringJobId));
        await bootstrap.StopAsync(default);
    }
}
