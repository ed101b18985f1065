using System.Diagnostics;
using Npgsql;
using Sendy.Engine.History;

namespace Sendy.Bench;

/// <summary>What <c>bench.history</c> says of the generated data (the marker written last, so a half-made database has none).</summary>
public sealed record HistoryMarker(int Version, long Rows, int Days, int Trucks, int Fleet, DateOnly FirstDay, DateOnly LastDay,
    DateTimeOffset GeneratedAt, double GenerationSeconds)
{
    public IEnumerable<DateOnly> HistoryDays => Enumerable.Range(0, Days).Select(FirstDay.AddDays);

    public bool Fits(HistoryShape shape) =>
        Version == HistoryShape.Version && Rows == shape.Rows && Days == shape.Days && Trucks == shape.Trucks && Fleet == shape.Fleet;
}

/// <summary>
/// The history scenario's database, <c>sendy_history</c> on the bench cluster: copied from the
/// migrated template <c>sendy</c> (as every bench database is; <c>./sendy.sh bench</c> migrates an
/// existing one like the template), filled once by <see cref="HistoryGenerator"/>, and kept: a later
/// run whose shape, generator version and migrations match reuses it.
/// </summary>
public static class HistoryDatabase
{
    public const string Name = "sendy_history";

    private const string LastMigration = "SELECT max(\"MigrationId\") FROM __ef_migrations_history";

    public static string ConnectionString(string templatePg) =>
        new NpgsqlConnectionStringBuilder(templatePg) { Database = Name, MaxPoolSize = 200, CommandTimeout = 3_600 }.ConnectionString;

    /// <summary>Returns the marker of a complete database of <paramref name="shape"/>, generating it first when there is none.</summary>
    public static async Task<(HistoryMarker Marker, bool Reused)> EnsureAsync(string templatePg, HistoryShape shape, CancellationToken ct)
    {
        var templateMigration = await ScalarAsync<string>(templatePg, LastMigration, ct);
        var why = await WhyNotReusableAsync(templatePg, shape, templateMigration, ct);
        if (why is null)
        {
            var kept = (await ReadMarkerAsync(ConnectionString(templatePg), ct))!;
            Progress.Say($"history: reusing {Name} ({kept.Rows:N0} positions, {kept.FirstDay:yyyy-MM-dd} to {kept.LastDay:yyyy-MM-dd}, generated {kept.GeneratedAt:yyyy-MM-dd HH:mm} UTC in {kept.GenerationSeconds:N0} s)");
            return (kept, true);
        }

        Progress.Say($"history: generating {Name} ({why}): {shape.Rows:N0} positions, {shape.Days} days, {shape.Trucks:N0} trucks of a fleet of {shape.Fleet:N0}");
        var (dropped, reason) = await Sendy.Engine.Tests.Infrastructure.DatabaseDrop.TryDropAsync(templatePg, Name);
        if (!dropped) throw new InvalidOperationException($"could not drop database {Name}: {reason}");
        var template = new NpgsqlConnectionStringBuilder(templatePg).Database;
        await ScalarAsync<object>(new NpgsqlConnectionStringBuilder(templatePg) { Database = "postgres", Pooling = false }.ConnectionString,
            $"CREATE DATABASE \"{Name}\" TEMPLATE \"{template}\"", ct);

        var watch = Stopwatch.StartNew();
        var today = PositionPartitions.DayOf(DateTimeOffset.UtcNow);
        var firstDay = today.AddDays(-shape.Days);
        await using var db = NpgsqlDataSource.Create(ConnectionString(templatePg));
        await new HistoryGenerator(db, shape, firstDay).GenerateAsync(ct);
        var marker = new HistoryMarker(HistoryShape.Version, shape.Rows, shape.Days, shape.Trucks, shape.Fleet, firstDay, today.AddDays(-1),
            DateTimeOffset.UtcNow, Math.Round(watch.Elapsed.TotalSeconds, 1));
        await WriteMarkerAsync(db, marker, ct);
        Progress.Say($"history: generated in {marker.GenerationSeconds:N0} s");
        return (marker, false);
    }

    /// <summary>Null when the database is there, complete and of this shape; otherwise why it is generated.</summary>
    private static async Task<string?> WhyNotReusableAsync(string templatePg, HistoryShape shape, string templateMigration, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(templatePg) { Database = "postgres", Pooling = false }.ConnectionString;
        if (Environment.GetEnvironmentVariable("SENDY_BENCH_HISTORY_REGENERATE") == "1") return "SENDY_BENCH_HISTORY_REGENERATE=1";
        if (await ScalarAsync<object?>(admin, $"SELECT 1 FROM pg_database WHERE datname = '{Name}'", ct) is null) return "none yet";
        var cs = ConnectionString(templatePg);
        var marker = await ReadMarkerAsync(cs, ct);
        if (marker is null) return "no marker: an earlier generation did not finish";
        if (!marker.Fits(shape))
            return $"it holds {marker.Rows:N0} positions, {marker.Days} days, {marker.Trucks:N0} of {marker.Fleet:N0} trucks (generator v{marker.Version})";
        var migration = await ScalarAsync<string>(cs, LastMigration, ct);
        if (migration != templateMigration) return $"its last migration is {migration}, the template's {templateMigration}";
        var missing = marker.HistoryDays.Select(PositionPartitions.NameOf)
            .Except(await ListAsync(cs, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'positions'::regclass", ct))
            .ToList();
        return missing.Count == 0 ? null : $"{missing.Count} of its days have no partition any more ({missing[0]}, …)";
    }

    private static async Task<HistoryMarker?> ReadMarkerAsync(string cs, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT version, rows, days, trucks, fleet, first_day, last_day, generated_at, generation_s FROM bench.history", connection);
        try
        {
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            return new HistoryMarker(r.GetInt32(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4),
                r.GetFieldValue<DateOnly>(5), r.GetFieldValue<DateOnly>(6), r.GetFieldValue<DateTimeOffset>(7), r.GetDouble(8));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable || ex.SqlState == PostgresErrorCodes.InvalidSchemaName)
        {
            return null;
        }
    }

    private static async Task WriteMarkerAsync(NpgsqlDataSource db, HistoryMarker m, CancellationToken ct)
    {
        await using (var create = db.CreateCommand("""
            CREATE TABLE bench.history (version int NOT NULL, rows bigint NOT NULL, days int NOT NULL, trucks int NOT NULL, fleet int NOT NULL,
                first_day date NOT NULL, last_day date NOT NULL, generated_at timestamptz NOT NULL, generation_s float8 NOT NULL)
            """))
            await create.ExecuteNonQueryAsync(ct);
        await using var cmd = db.CreateCommand("INSERT INTO bench.history VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        foreach (var value in new object[] { m.Version, m.Rows, m.Days, m.Trucks, m.Fleet, m.FirstDay, m.LastDay, m.GeneratedAt.ToUniversalTime(), m.GenerationSeconds })
            cmd.Parameters.Add(new() { Value = value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(string cs, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        var value = await cmd.ExecuteScalarAsync(ct);
        return (T)(value is DBNull ? null : value)!;
    }

    private static async Task<List<string>> ListAsync(string cs, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }
}
