using Npgsql;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Storage;

/// <summary>
/// The app's sessions run with PostgreSQL's JIT off, pooled connections included, and prepare the
/// statements they repeat; an Options or a Max Auto Prepare the operator set is kept.
/// </summary>
public sealed class AppConnectionStringTests
{
    [Fact]
    public async Task jit_is_off_in_every_session_of_the_app_and_stays_off_after_the_pool_resets_a_connection()
    {
        await using var dataSource = NpgsqlDataSource.Create(SendyDatabase.AppConnectionString(TestDatabase.TemplateConnectionString));
        for (var i = 0; i < 3; i++) // the same pooled connection, reset (DISCARD ALL) between uses
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var show = new NpgsqlCommand("SHOW jit", connection);
            Assert.Equal("off", await show.ExecuteScalarAsync());
            await using var set = new NpgsqlCommand("SET jit = on", connection);
            await set.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public void an_options_the_operator_set_is_kept()
    {
        Assert.Contains("-c statement_timeout=5000", SendyDatabase.AppConnectionString("Host=h;Options=-c statement_timeout=5000"));
        Assert.DoesNotContain("jit", SendyDatabase.AppConnectionString("Host=h;Options=-c statement_timeout=5000"));
        Assert.Contains("jit=off", SendyDatabase.AppConnectionString("Host=h"));
    }

    [Fact]
    public async Task a_statement_a_connection_repeats_is_prepared_on_it()
    {
        await using var dataSource = NpgsqlDataSource.Create(SendyDatabase.AppConnectionString(TestDatabase.TemplateConnectionString));
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relname = $1", connection) { Parameters = { new() { Value = "deliveries" } } };
            Assert.Equal(1L, await repeated.ExecuteScalarAsync());
        }
        await using var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%relname = $1%'", connection);
        Assert.Equal(1L, await prepared.ExecuteScalarAsync());
    }

    [Fact]
    public void automatic_preparation_is_on_unless_the_operator_set_it()
    {
        Assert.Equal(64, new NpgsqlConnectionStringBuilder(SendyDatabase.AppConnectionString("Host=h")).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(SendyDatabase.AppConnectionString("Host=h;Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(8, new NpgsqlConnectionStringBuilder(SendyDatabase.AppConnectionString("Host=h;MaxAutoPrepare=8")).MaxAutoPrepare);
    }
}
