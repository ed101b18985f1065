using Npgsql;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// Drops a throwaway database (tests, benchmark) without failing on sessions that are not ours.
/// DROP … WITH (FORCE) also tries to end autovacuum workers, which belong to no role, and then
/// fails with 42501 "must be a member of the role whose process is being terminated". Instead:
/// end our own role's sessions and wait for them, then a plain DROP, which asks autovacuum to
/// leave; again a few times while something still holds the database. Shared with the benchmark
/// (linked into Sendy.Bench).
/// </summary>
public static class DatabaseDrop
{
    /// <summary>True once the database is gone; false (with the reason) when it is still there after every try.</summary>
    public static async Task<(bool Dropped, string? Reason)> TryDropAsync(string anyConnectionString, string database, int attempts = 5)
    {
        var admin = new NpgsqlConnectionStringBuilder(anyConnectionString) { Database = "postgres", Pooling = false };
        string? reason = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(admin.ConnectionString);
                await connection.OpenAsync();
                // pg_terminate_backend(pid, timeout) returns once the session is gone (or the timeout passed).
                await using (var terminate = new NpgsqlCommand("""
                    SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
                    WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()
                    """, connection))
                {
                    terminate.Parameters.Add(new() { Value = database });
                    await terminate.ExecuteScalarAsync();
                }
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\"", connection);
                await drop.ExecuteNonQueryAsync();
                return (true, null);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.InsufficientPrivilege)
            {
                reason = ex.Message; // a session still leaving, or one that came after the terminate
            }
        }
        return (false, reason);
    }
}
