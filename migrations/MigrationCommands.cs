using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal;
using Sendy.Engine.Storage;

namespace Sendy.Migrations;

public static class MigrationCommands
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: migrations migrate \"<connection string>\" | migrations add <Name>");
        return 2;
    }

    /// <summary>Applies every pending migration; safe to run again.</summary>
    public static async Task<int> MigrateAsync(string connectionString)
    {
        try
        {
            await SendyDatabase.MigrateAsync(connectionString, CancellationToken.None);
            Console.WriteLine("migrations applied");
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"migrations failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Scaffolds a migration into this project's Migrations folder, as `dotnet ef migrations add` would.</summary>
    public static int Add(string name, string projectDir)
    {
        using var context = new DesignTimeContextFactory().CreateDbContext([]);
        var services = new ServiceCollection();
        services.AddEntityFrameworkDesignTimeServices();
        services.AddDbContextDesignTimeServices(context);
#pragma warning disable EF1001 // Npgsql's design-time services are the provider's documented hook for tooling.
        new NpgsqlDesignTimeServices().ConfigureDesignTimeServices(services);
#pragma warning restore EF1001
        using var provider = services.BuildServiceProvider();
        var scaffolder = provider.GetRequiredService<IMigrationsScaffolder>();
        var migration = scaffolder.ScaffoldMigration(name, "Sendy.Migrations", "Migrations", "C#");
        var files = scaffolder.Save(projectDir, migration, Path.Combine(projectDir, "Migrations"));
        Console.WriteLine($"wrote {files.MigrationFile}");
        return 0;
    }
}

/// <summary>Lets the scaffolder build the model without a live database.</summary>
public sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<SendyDbContext>
{
    public SendyDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SendyDbContext>();
        SendyDatabase.Configure(options, "Host=localhost;Database=design_time");
        return new SendyDbContext(options.Options);
    }
}
