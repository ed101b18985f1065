using Npgsql;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// A fresh database per test class, copied from the migrated template database that the test
/// command prepares (SENDY_TEST_PG). Dropped when the class is done.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public static string TemplateConnectionString =>
        Environment.GetEnvironmentVariable("SENDY_TEST_PG")
        ?? "Host=127.0.0.1;Port=25433;Database=sendy;Username=sendy;Password=sendy";

    public string Name { get; } = $"sendy_t_{Guid.NewGuid():N}"[..24];

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var template = new NpgsqlConnectionStringBuilder(TemplateConnectionString);
        var admin = new NpgsqlConnectionStringBuilder(TemplateConnectionString) { Database = "postgres", Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{Name}\" TEMPLATE \"{template.Database}\"", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"PostgreSQL test cluster not usable at {template.Host}:{template.Port} ({ex.Message}). Run ./sendy.sh test, which starts it.", ex);
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(TemplateConnectionString) { Database = Name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>
    /// Drops the database; never fails a run (see <see cref="DatabaseDrop"/>). One that still
    /// cannot be dropped is left on the throwaway test cluster, with a line on stderr.
    /// </summary>
    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        var (dropped, reason) = await DatabaseDrop.TryDropAsync(TemplateConnectionString, Name);
        if (!dropped) await System.Console.Error.WriteLineAsync($"TestDatabase: {Name} left behind on the test cluster: {reason}");
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        await cmd.ExecuteNonQueryAsync();
    }

    public Task AddTruckAsync(string truckId) =>
        ExecuteAsync("INSERT INTO trucks (id, name, created_at) VALUES ($1, $1, now()) ON CONFLICT DO NOTHING", truckId);

    public SendyDbContext CreateContext()
    {
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<SendyDbContext>();
        SendyDatabase.Configure(options, ConnectionString);
        return new SendyDbContext(options.Options);
    }
}
