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
    /// The app's connection string: PostgreSQL's JIT off for the session (a startup option, so the
    /// pool's DISCARD ALL keeps it), unless the connection string sets <c>Options</c> itself. The
    /// app's queries are short, and JIT compiled them anyway once their estimated cost crossed its
    /// thresholds: with 68 day partitions the batch writer's per-batch query compiled 418 functions
    /// (0.5–0.7 s a batch) and the dispatcher's fleet query took 1.4 s more a load (history bench, issue 18).
    /// </summary>
    public static string AppConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.Options)) builder.Options = "-c jit=off";
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
