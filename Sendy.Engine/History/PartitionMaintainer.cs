using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sendy.Engine.History;

/// <summary>
/// The partition job, at start and every <see cref="HistoryOptions.MaintenanceInterval"/>, one node
/// at a time (an advisory lock): creates the partitions of yesterday to <see cref="HistoryOptions.DaysAhead"/>
/// days ahead that are missing, and gives every day that has fixes in <c>positions_default</c> (late
/// ones, or early ones now within reach) its own partition with those fixes moved in. Each day is
/// its own transaction: the table is built on the side, filled from the default partition, and
/// attached (a lock that lets writes to other days go on); a day that cannot be done now (a lock
/// held too long) is tried again at the next pass. Then <see cref="PositionRetention"/> drops the
/// days past retention, closed days are vacuumed (so trails read the primary key alone) and one
/// closed day's primary key a pass is rebuilt packed.
/// </summary>
public sealed partial class PartitionMaintainer(
    NpgsqlDataSource dataSource,
    PositionPartitions partitions,
    PositionRetention retention,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<PartitionMaintainer> logger) : BackgroundService
{
    /// <summary>"Sendy.Partitions" folded into a 64-bit advisory lock key (one pass cluster-wide).</summary>
    public const long LockKey = 0x53_50_61_72_74_69_74_6E;

    private const string DefaultDays = """
        SELECT DISTINCT (recorded_at AT TIME ZONE 'UTC')::date FROM positions_default
        """;

    /// <summary>Closed days vacuumed in one pass at most, newest first (a day of 86 M rows reads for minutes).</summary>
    internal const int VacuumsPerPass = 2;

    /// <summary>
    /// Of the named partitions, those never vacuumed nor analyzed (reltuples -1) or with under 95 %
    /// of their pages all-visible (as the last VACUUM or ANALYZE counted them). A VACUUM that could
    /// not mark pages (a snapshot older than their rows was open) leaves the day here for the next pass.
    /// </summary>
    private const string NotAllVisible = """
        SELECT relname FROM pg_class
        WHERE relname = ANY($1) AND relkind = 'r' AND (reltuples < 0 OR relallvisible < relpages * 0.95)
        ORDER BY relname DESC LIMIT $2
        """;

    /// <summary>
    /// Of the named partitions, the newest vacuumed one with rows whose primary key has not been
    /// rebuilt since it closed, with its key's name. (Names sort as their days: positions_yyyyMMdd.)
    /// </summary>
    private const string KeyToRebuild = """
        SELECT c.relname, i.indexrelid::regclass::text
        FROM pg_class c JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
        WHERE c.relname = ANY($1) AND c.relkind = 'r' AND c.relpages > 0 AND c.relallvisible >= c.relpages * 0.95
          AND NOT EXISTS (SELECT 1 FROM position_day_keys_rebuilt k WHERE k.day = to_date(right(c.relname, 8), 'YYYYMMDD'))
        ORDER BY c.relname DESC LIMIT 1
        """;

    /// <summary>What one pass did.</summary>
    public sealed record Pass(bool Ran, IReadOnlyList<DateOnly> Created, long MovedFromDefault, PositionRetention.Outcome? Retention = null,
        IReadOnlyList<DateOnly>? Vacuumed = null, IReadOnlyList<DateOnly>? KeysRebuilt = null);

    /// <summary>One pass; <see cref="Pass.Ran"/> is false when another node holds it.</summary>
    public async Task<Pass> MaintainOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var locked = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } })
            if (!(bool)(await locked.ExecuteScalarAsync(cancellationToken))!) return new Pass(false, [], 0, null);
        try
        {
            var today = PositionPartitions.DayOf(time.GetUtcNow());
            var existing = await partitions.RefreshAsync(cancellationToken);
            var wanted = new SortedSet<DateOnly>();
            for (var day = today.AddDays(-1); day <= today.AddDays(options.Value.DaysAhead); day = day.AddDays(1)) wanted.Add(day);
            await using (var read = new NpgsqlCommand(DefaultDays, connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                {
                    var day = DateOnly.FromDateTime(reader.GetDateTime(0));
                    if (day <= today.AddDays(options.Value.DaysAhead)) wanted.Add(day); // further ahead waits in the default partition
                }
            wanted.ExceptWith(existing);

            var created = new List<DateOnly>();
            long moved = 0;
            foreach (var day in wanted)
            {
                try
                {
                    moved += await CreateAsync(connection, day, cancellationToken);
                    created.Add(day);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DuplicateTable)
                {
                    LogDayPostponed(PositionPartitions.NameOf(day), ex.MessageText);
                }
            }
            if (created.Count > 0) LogCreated(created.Count, moved);
            var outcome = await retention.ApplyAsync(connection, existing.Concat(created), cancellationToken);
            if (created.Count > 0 || outcome.Dropped.Count > 0) await partitions.RefreshAsync(cancellationToken);
            // Days closed long enough for late fixes to be mostly in, by partition name.
            var settled = time.GetUtcNow() - options.Value.VacuumClosedDayAfter;
            string[] closed = [.. existing.Concat(created).Except(outcome.Dropped)
                .Where(d => PositionPartitions.StartOf(d.AddDays(1)) <= settled).Select(PositionPartitions.NameOf)];
            var vacuumed = closed.Length == 0 ? [] : await VacuumClosedDaysAsync(connection, closed, cancellationToken);
            var rebuilt = closed.Length == 0 ? [] : await RebuildClosedDayKeyAsync(connection, closed, cancellationToken);
            return new Pass(true, created, moved, outcome, vacuumed, rebuilt);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = LockKey } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// VACUUM (ANALYZE) of the <paramref name="closed"/> partitions (see
    /// <see cref="HistoryOptions.VacuumClosedDayAfter"/>) whose pages are not (nearly all) marked
    /// all-visible, newest first, at most <see cref="VacuumsPerPass"/>: their trails then read the
    /// primary key alone.
    /// </summary>
    private async Task<IReadOnlyList<DateOnly>> VacuumClosedDaysAsync(NpgsqlConnection connection, string[] closed,
        CancellationToken cancellationToken)
    {
        var due = new List<DateOnly>();
        await using (var read = new NpgsqlCommand(NotAllVisible, connection))
        {
            read.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = closed });
            read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = VacuumsPerPass });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                if (PositionPartitions.DayOfName(reader.GetString(0)) is { } day) due.Add(day);
        }
        foreach (var day in due)
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) {PositionPartitions.NameOf(day)}", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        if (due.Count > 0) LogVacuumed(string.Join(", ", due.Select(PositionPartitions.NameOf)));
        return due;
    }

    /// <summary>
    /// Rebuilds the primary key of one <paramref name="closed"/>, vacuumed day (the newest not yet
    /// done) with <c>REINDEX CONCURRENTLY</c>, which lets reads and writes go on: live inserts leave
    /// a day's key half full, a rebuilt one is packed (about 160 against 95 bytes a row). A rebuild
    /// a stopped node left half done (an invalid copy of the key) is dropped first.
    /// </summary>
    private async Task<IReadOnlyList<DateOnly>> RebuildClosedDayKeyAsync(NpgsqlConnection connection, string[] closed,
        CancellationToken cancellationToken)
    {
        DateOnly newest;
        string partition, key;
        await using (var read = new NpgsqlCommand(KeyToRebuild, connection))
        {
            read.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = closed });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken) || PositionPartitions.DayOfName(reader.GetString(0)) is not { } day) return [];
            (newest, partition, key) = (day, reader.GetString(0), reader.GetString(1));
        }

        var leftovers = new List<string>();
        await using (var invalid = new NpgsqlCommand(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = $1::regclass AND NOT indisvalid", connection))
        {
            invalid.Parameters.Add(new NpgsqlParameter<string> { TypedValue = partition });
            await using var reader = await invalid.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) leftovers.Add(reader.GetString(0));
        }
        foreach (var leftover in leftovers)
        {
            await using var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS {leftover}", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var rebuild = new NpgsqlCommand($"REINDEX INDEX CONCURRENTLY {key}", connection) { CommandTimeout = 0 })
            await rebuild.ExecuteNonQueryAsync(cancellationToken);
        await using (var record = new NpgsqlCommand("""
            INSERT INTO position_day_keys_rebuilt (day, rebuilt_at) VALUES ($1, $2)
            ON CONFLICT (day) DO UPDATE SET rebuilt_at = excluded.rebuilt_at
            """, connection))
        {
            record.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = newest });
            record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow().ToUniversalTime() });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        LogKeyRebuilt(partition);
        return [newest];
    }

    /// <summary>Creates <paramref name="day"/>'s partition with its fixes from the default partition; returns how many moved.</summary>
    internal static async Task<long> CreateAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        var name = PositionPartitions.NameOf(day);
        var from = Literal(PositionPartitions.StartOf(day));
        var to = Literal(PositionPartitions.StartOf(day.AddDays(1)));
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // No writer may add this day's fixes to the default partition between the move and the
        // attach (which checks that none is left there); writers to other days are not held.
        await Execute(connection, tx, "SET LOCAL lock_timeout = '10s'", cancellationToken);
        await Execute(connection, tx, "LOCK TABLE positions_default IN EXCLUSIVE MODE", cancellationToken);
        await Execute(connection, tx, $"CREATE TABLE {name} (LIKE positions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)",
            cancellationToken);
        long moved;
        await using (var move = new NpgsqlCommand($"""
            WITH moved AS (DELETE FROM positions_default WHERE recorded_at >= $1 AND recorded_at < $2 RETURNING *)
            INSERT INTO {name} SELECT * FROM moved
            """, connection, tx))
        {
            move.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = PositionPartitions.StartOf(day) });
            move.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = PositionPartitions.StartOf(day.AddDays(1)) });
            moved = await move.ExecuteNonQueryAsync(cancellationToken);
        }
        // With this constraint the attach need not scan the new table to prove its rows belong there.
        await Execute(connection, tx, $"ALTER TABLE {name} ADD CONSTRAINT {name}_day CHECK (recorded_at >= {from} AND recorded_at < {to})", cancellationToken);
        await Execute(connection, tx, $"ALTER TABLE positions ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to})", cancellationToken);
        await Execute(connection, tx, $"ALTER TABLE {name} DROP CONSTRAINT {name}_day", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return moved;
    }

    private static string Literal(DateTimeOffset at) => "'" + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00'";

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.MaintenanceInterval, time);
        try
        {
            do
            {
                try
                {
                    await MaintainOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex); // days ahead are already there for a week: the next pass tries again
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Count} daily position partitions ({Moved} fixes moved in from positions_default)")]
    private partial void LogCreated(int count, long moved);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vacuumed the closed position days {Partitions} (their trails read the key alone)")]
    private partial void LogVacuumed(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the primary key of the closed position day {Partition} (packed; live inserts leave it half full)")]
    private partial void LogKeyRebuilt(string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Position partition {Partition} postponed to the next pass: {Reason}")]
    private partial void LogDayPostponed(string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The position partition job failed; the next pass tries again")]
    private partial void LogFailed(Exception exception);
}
