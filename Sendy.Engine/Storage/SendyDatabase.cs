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

    public static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = new DbContextOptionsBuilder<SendyDbContext>();
        Configure(options, connectionString);
        await using var context = new SendyDbContext(options.Options);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
