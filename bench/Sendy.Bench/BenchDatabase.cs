using Npgsql;

namespace Sendy.Bench;

/// <summary>A fresh database copied from the migrated template <c>sendy</c>, dropped afterwards (as the tests do).</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _template;

    private BenchDatabase(string template, string name)
    {
        _template = template;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(template) { Database = name, MaxPoolSize = 200 }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchDatabase> CreateAsync(string templateConnectionString, string purpose)
    {
        var name = $"sendy_bench_{purpose}";
        await DropAsync(templateConnectionString, name);
        var template = new NpgsqlConnectionStringBuilder(templateConnectionString).Database;
        await AdminAsync(templateConnectionString, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return new BenchDatabase(templateConnectionString, name);
    }

    public async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public Task AddTrucksAsync(IEnumerable<string> ids) =>
        ExecuteAsync("INSERT INTO trucks (id, name, created_at) SELECT id, id, now() FROM unnest($1::text[]) AS t(id) ON CONFLICT DO NOTHING",
            new object[] { ids.ToArray() });

    private static async Task AdminAsync(string templateConnectionString, string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(templateConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await DropAsync(_template, Name);
    }

    private static async Task DropAsync(string templateConnectionString, string name)
    {
        var (dropped, reason) = await Sendy.Engine.Tests.Infrastructure.DatabaseDrop.TryDropAsync(templateConnectionString, name);
        if (!dropped) throw new InvalidOperationException($"could not drop database {name}: {reason}");
    }
}
