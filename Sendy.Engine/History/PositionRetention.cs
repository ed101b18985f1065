using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.History.Archive;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.History;

/// <summary>
/// Retention in PostgreSQL: a day whose last instant is older than <see cref="HistoryOptions.Retention"/>
/// leaves by dropping its partition, never by DELETE, so it costs the same whatever the day held.
/// While the OpenSearch position export is on, a day is kept until the export's watermark has
/// passed every fix in it (late fixes included). With the archive on (<see cref="ArchiveOptions.Enabled"/>)
/// a day is dropped only when its archive is verified and, counted under a lock that stops writers
/// to it, the partition holds exactly the rows archived; late fixes since then send the day back to
/// the archiver. Without the archive days are dropped without a copy, and the admin page says so.
/// A day restored from the archive is held until its <c>keep_until</c>. Each dropped day is written
/// to <c>position_days_dropped</c> with its size and estimated row count, for the admin page.
/// Run by <see cref="PartitionMaintainer"/> inside its pass (one node at a time).
/// </summary>
public sealed partial class PositionRetention(
    IOptions<HistoryOptions> options,
    IOptions<ArchiveOptions> archive,
    IOptionsMonitor<OpenSearchOptions> search,
    TimeProvider time,
    ILogger<PositionRetention> logger)
{
    /// <summary>A day left in place and why.</summary>
    public sealed record Kept(DateOnly Day, string Reason);

    /// <summary>
    /// What a pass dropped and what it had to keep although it was due; <paramref name="Locked"/>:
    /// the longest a day's drop held its transaction (and, from its detach on, <c>positions</c>).
    /// </summary>
    public sealed record Outcome(IReadOnlyList<DateOnly> Dropped, IReadOnlyList<Kept> Kept, TimeSpan Locked = default);

    /// <summary>What a day's partition is renamed to once detached, until its files are removed.</summary>
    public const string LeavingPrefix = "leaving_";

    private const string Watermark = "SELECT stored_at FROM export_watermarks WHERE name = $1";

    private const string ArchiveState = "SELECT rows, verified_at, keep_until FROM position_archive_days WHERE day = $1";

    private const string ArchiveStale = """
        UPDATE position_archive_days SET verified_at = NULL, last_error = $2, last_error_at = $3, next_attempt_at = NULL WHERE day = $1
        """;

    /// <summary>The days past retention among <paramref name="held"/>, oldest first.</summary>
    public IReadOnlyList<DateOnly> Due(IEnumerable<DateOnly> held)
    {
        var cutoff = time.GetUtcNow() - options.Value.Retention;
        return [.. held.Where(d => PositionPartitions.StartOf(d.AddDays(1)) <= cutoff).Order()];
    }

    public async Task<Outcome> ApplyAsync(NpgsqlConnection connection, IEnumerable<DateOnly> held, CancellationToken cancellationToken)
    {
        var due = Due(held);
        var dropped = new List<DateOnly>();
        var kept = new List<Kept>();
        var locked = TimeSpan.Zero;
        if (due.Count == 0)
        {
            await RemoveDetachedAsync(connection, cancellationToken);
            return new Outcome(dropped, kept);
        }

        DateTimeOffset? exported = null;
        var exporting = search.CurrentValue.Enabled;
        if (exporting)
        {
            await using var read = new NpgsqlCommand(Watermark, connection) { Parameters = { new() { Value = PositionExportJob.WatermarkName } } };
            exported = await read.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
        }

        var archiving = archive.Value.Enabled;
        foreach (var day in due)
        {
            var name = PositionPartitions.NameOf(day);
            long? archivedRows = null;
            await using (var state = new NpgsqlCommand(ArchiveState, connection))
            {
                state.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
                await using var reader = await state.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    if (!reader.IsDBNull(2) && reader.GetFieldValue<DateTimeOffset>(2) > time.GetUtcNow())
                    {
                        kept.Add(new Kept(day, $"restored from the archive; held until {reader.GetFieldValue<DateTimeOffset>(2):yyyy-MM-dd HH:mm} UTC"));
                        continue;
                    }
                    if (!reader.IsDBNull(0) && !reader.IsDBNull(1)) archivedRows = reader.GetInt64(0);
                }
            }
            if (archiving && archivedRows is null)
            {
                kept.Add(new Kept(day, "its archive is not verified yet"));
                continue;
            }
            var begun = time.GetTimestamp();
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            if (exporting)
            {
                // The BRIN index on stored_at answers this without reading the day.
                await using var behind = new NpgsqlCommand(
                    $"SELECT EXISTS (SELECT 1 FROM {name} WHERE $1::timestamptz IS NULL OR stored_at >= $1)", connection, tx);
                behind.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { TypedValue = exported?.ToUniversalTime() });
                if ((bool)(await behind.ExecuteScalarAsync(cancellationToken))!)
                {
                    kept.Add(new Kept(day, "the OpenSearch export has not passed it yet"));
                    continue;
                }
            }
            await using (var timeout = new NpgsqlCommand("SET LOCAL lock_timeout = '10s'", connection, tx))
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            if (archiving)
            {
                long inPartition;
                try
                {
                    // No writer adds to the day between this count and the drop.
                    await using (var lockDay = new NpgsqlCommand($"LOCK TABLE {name} IN SHARE MODE", connection, tx))
                        await lockDay.ExecuteNonQueryAsync(cancellationToken);
                    await using var count = new NpgsqlCommand($"SELECT count(*) FROM {name}", connection, tx);
                    inPartition = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
                {
                    await tx.RollbackAsync(cancellationToken);
                    kept.Add(new Kept(day, "its partition was busy; the next pass drops it"));
                    continue;
                }
                if (inPartition != archivedRows)
                {
                    // Fixes are only ever added to a day, so another count means fixes the archive lacks.
                    await using var stale = new NpgsqlCommand(ArchiveStale, connection, tx);
                    stale.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
                    stale.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"The day holds {inPartition} fixes, its archive {archivedRows}: archived again before it is dropped." });
                    stale.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow().ToUniversalTime() });
                    await stale.ExecuteNonQueryAsync(cancellationToken);
                    await tx.CommitAsync(cancellationToken);
                    kept.Add(new Kept(day, $"{inPartition - archivedRows} fixes arrived after its archive; it is archived again first"));
                    continue;
                }
            }
            await using (var record = new NpgsqlCommand($"""
                INSERT INTO position_days_dropped (day, estimated_rows, bytes, dropped_at, archived)
                SELECT $1, GREATEST(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid), $2, $3 FROM pg_class c WHERE c.oid = '{name}'::regclass
                ON CONFLICT (day) DO UPDATE SET estimated_rows = position_days_dropped.estimated_rows + excluded.estimated_rows,
                    bytes = position_days_dropped.bytes + excluded.bytes, dropped_at = excluded.dropped_at, archived = excluded.archived
                """, connection, tx))
            {
                record.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
                record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow().ToUniversalTime() });
                record.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = archiving });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            try
            {
                // Detached and renamed here (catalog changes only), removed after the commit: a DROP
                // in this transaction would free the day's files at commit, while it still held
                // positions' lock, for as long as the filesystem takes (about 1.5 ms a MiB here).
                await using (var rebuilt = new NpgsqlCommand("DELETE FROM position_day_keys_rebuilt WHERE day = $1", connection, tx))
                {
                    rebuilt.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
                    await rebuilt.ExecuteNonQueryAsync(cancellationToken); // a day placed again later has a new key
                }
                await using (var detach = new NpgsqlCommand($"ALTER TABLE positions DETACH PARTITION {name}", connection, tx))
                    await detach.ExecuteNonQueryAsync(cancellationToken);
                await using (var rename = new NpgsqlCommand($"ALTER TABLE {name} RENAME TO {LeavingPrefix}{name}", connection, tx))
                    await rename.ExecuteNonQueryAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                locked = Max(locked, time.GetElapsedTime(begun));
                dropped.Add(day);
                if (archiving) LogDroppedArchived(name, archivedRows!.Value);
                else LogDropped(name);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await tx.RollbackAsync(cancellationToken);
                kept.Add(new Kept(day, "its partition was busy; the next pass drops it"));
            }
        }
        await RemoveDetachedAsync(connection, cancellationToken);
        return new Outcome(dropped, kept, locked);
    }

    /// <summary>
    /// Drops the days retention detached: their files go, with no lock on <c>positions</c> (nothing
    /// reads a detached day). Also those a pass left when its node stopped between the two steps.
    /// </summary>
    public static async Task RemoveDetachedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var leaving = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT c.relname FROM pg_class c
            WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname LIKE $1
              AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)
            """, connection))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LeavingPrefix.Replace("_", "\\_", StringComparison.Ordinal) + "%" });
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) leaving.Add(reader.GetString(0));
        }
        foreach (var name in leaving)
        {
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS \"{name}\"", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention dropped {Partition} (not archived: Sendy:Archive:Enabled is off)")]
    private partial void LogDropped(string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention dropped {Partition}; its {Rows} fixes are in the verified archive")]
    private partial void LogDroppedArchived(string partition, long rows);
}
