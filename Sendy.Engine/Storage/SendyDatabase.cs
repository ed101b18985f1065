using Npgsql;
using Microsoft.EntityFrameworkCore;

namespace Sendy.Engine.Storage;

public static class SendyDatabase
{
    /// <summary>The one place the EF Core provider is configured (app, tests, migrations tool).</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql
            .UseNetTopologySuite()
            .MigrationsAssembly(SendyDbContext.MigrationsAssembly)
            .MigrationsHistoryTable("__ef_migrations_history"));

    /// <summary>
    /// The app's connection string, where the connection string does not say otherwise:
    /// <list type="bullet">
    /// <item>PostgreSQL's JIT off for the session (a startup option, so the pool's reset keeps it).
    /// The app's queries are short, and JIT compiled them anyway once their estimated cost crossed its
    /// thresholds: with 68 day partitions the batch writer's per-batch query compiled 418 functions
    /// (0.5–0.7 s a batch) and the dispatcher's fleet query took 1.4 s more a load (history bench, issue 18).</item>
    /// <item>Npgsql's automatic preparation: a statement a connection has run twice is prepared on it, so
    /// PostgreSQL stops parsing and planning it anew each time. The app runs the same few dozen
    /// statements all day; parsing and planning were a fifth of PostgreSQL's CPU in the booking bench
    /// (issue 17), and preparing them took the bookings from about 275 to about 330 a second there.</item>
    /// </list>
    /// </summary>
    public static string AppConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.Options)) builder.Options = "-c jit=off";
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        return builder.ConnectionString;
    }

    public static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = new DbContextOptionsBuilder<SendyDbContext>();
        Configure(options, connectionString);
        await using var context = new SendyDbContext(options.Options);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
