using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sendy.Engine.History;

namespace Sendy.Bench;

/// <summary>
/// Issue 18: dropping a day takes the same time whatever its row count, DELETE of the same rows
/// being the floor it is compared with. Days of three sizes (a hundredth, a tenth and all of the
/// newest history day's rows, copied to scratch days in 1990 so the history stays whole) leave
/// once through the app's retention (<see cref="PositionRetention.ApplyAsync"/>: its transaction,
/// bookkeeping row and DETACH, the figure with the target; then the detached table's DROP, reported
/// beside it) and once by DELETE through <c>positions</c> (commit included),
/// alternating, each after a CHECKPOINT (an old day is on disk, not dirty in memory). Medians of
/// SENDY_BENCH_HISTORY_DROP_REPEATS (default 5: a drop is now milliseconds, where this machine's scheduling noise is of the same size) of each.
/// </summary>
public sealed class HistoryDropBench(NpgsqlDataSource db, PositionRetention retention, HistoryMarker marker, Report report)
{
    public int Repeats { get; init; } = (int)HistoryShape.Knob("DROP_REPEATS", 5);

    private static readonly DateOnly FirstScratchDay = new(1990, 1, 1);

    private const string Columns = "stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees, accuracy_meters, quality_flag";

    public async Task RunAsync(CancellationToken ct)
    {
        await CleanAsync(ct);
        var source = PositionPartitions.NameOf(marker.LastDay);
        var full = await ScalarAsync<long>($"SELECT count(*) FROM {source}", ct);
        (string Name, long Rows)[] sizes = [("small", full / 100), ("medium", full / 10), ("big", full)];
        var drops = sizes.ToDictionary(s => s.Name, _ => new List<double>());
        var passes = sizes.ToDictionary(s => s.Name, _ => new List<double>());
        var deletes = sizes.ToDictionary(s => s.Name, _ => new List<double>());
        var bytes = sizes.ToDictionary(s => s.Name, _ => 0L);
        Progress.Say($"history: drop against DELETE, days of {string.Join(", ", sizes.Select(s => s.Rows.ToString("N0", CultureInfo.InvariantCulture)))} rows, {Repeats} times each");
        var day = FirstScratchDay;
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            foreach (var (name, rows) in sizes)
            {
                foreach (var drop in repeat % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    bytes[name] = await FillAsync(day, source, rows, ct);
                    await using (var checkpoint = db.CreateCommand("CHECKPOINT")) await checkpoint.ExecuteNonQueryAsync(ct);
                    if (drop)
                    {
                        var (locked, pass) = await DropAsync(day, ct);
                        drops[name].Add(locked);
                        passes[name].Add(pass);
                    }
                    else deletes[name].Add(await DeleteAsync(day, rows, ct));
                    day = day.AddDays(1);
                }
            }
        }
        await CleanAsync(ct);

        string Note(string name, List<double> times, string how) =>
            $"{sizes.Single(s => s.Name == name).Rows:N0} rows ({bytes[name] / 1048576.0:N0} MiB with indexes) {how}; median of {times.Count}: {string.Join(", ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))} ms";
        var dropMs = drops.ToDictionary(d => d.Key, d => Percentiles.Median(d.Value));
        var deleteMs = deletes.ToDictionary(d => d.Key, d => Percentiles.Median(d.Value));
        var passMs = passes.ToDictionary(d => d.Key, d => Percentiles.Median(d.Value));
        const string Dropped = "dropped by the app's retention (PositionRetention.ApplyAsync): its transaction, bookkeeping row, DETACH, commit (what holds positions)";
        const string Removed = "the whole retention pass: the transaction above, then DROP TABLE of the detached day (its files freed; no lock on positions)";
        const string Deleted = "removed by DELETE FROM positions for the day, commit included";
        report.Add(Figure.Reference("history_drop_small_day_ms", dropMs["small"], "ms", Note("small", drops["small"], Dropped)));
        report.Add(Figure.Reference("history_drop_medium_day_ms", dropMs["medium"], "ms", Note("medium", drops["medium"], Dropped)));
        report.Add(Figure.RelativeAtMost("history_drop_big_day_ms", dropMs["big"], "ms", dropMs["small"], "history_drop_small_day_ms", 2,
            Note("big", drops["big"], Dropped) + "; flat: 100 times the rows of the small day, at most twice its time"));
        foreach (var size in new[] { "small", "medium", "big" })
            report.Add(Figure.Reference($"history_drop_{size}_day_whole_pass_ms", passMs[size], "ms", Note(size, passes[size], Removed)));
        report.Add(Figure.Reference("history_delete_small_day_ms", deleteMs["small"], "ms", Note("small", deletes["small"], Deleted)));
        report.Add(Figure.Reference("history_delete_medium_day_ms", deleteMs["medium"], "ms", Note("medium", deletes["medium"], Deleted)));
        report.Add(new Figure("history_delete_big_day_ms", deleteMs["big"], "ms", "floor the drop must beat", Figure.Round(deleteMs["big"] / dropMs["big"]),
            "history_drop_big_day_ms (DELETE / drop)", dropMs["big"] < deleteMs["big"], Note("big", deletes["big"], Deleted)));
    }

    /// <summary>A partition for <paramref name="day"/> holding <paramref name="rows"/> rows of <paramref name="source"/> moved to that day; returns its size.</summary>
    private async Task<long> FillAsync(DateOnly day, string source, long rows, CancellationToken ct)
    {
        var name = PositionPartitions.NameOf(day);
        await ExecuteAsync($"CREATE TABLE {name} PARTITION OF positions FOR VALUES FROM ({Literal(day)}) TO ({Literal(day.AddDays(1))})", ct);
        var shift = (marker.LastDay.DayNumber - day.DayNumber).ToString(CultureInfo.InvariantCulture) + " days";
        await ExecuteAsync($"""
            INSERT INTO {name} ({Columns})
            SELECT stream_name, shard_id, sequence_number, truck_id, recorded_at - interval '{shift}', received_at - interval '{shift}',
                stored_at - interval '{shift}', location, speed_mps, heading_degrees, accuracy_meters, quality_flag
            FROM {source} LIMIT {rows}
            """, ct);
        return await ScalarAsync<long>($"SELECT pg_total_relation_size('{name}')", ct);
    }

    /// <summary>The retention's transaction for the day (<see cref="PositionRetention.Outcome.Locked"/>) and its whole pass.</summary>
    private async Task<(double Locked, double Pass)> DropAsync(DateOnly day, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var watch = Stopwatch.StartNew();
        var outcome = await retention.ApplyAsync(connection, [day], ct);
        var ms = watch.Elapsed.TotalMilliseconds;
        if (!outcome.Dropped.Contains(day))
            throw new InvalidOperationException($"retention did not drop {PositionPartitions.NameOf(day)}: {string.Join("; ", outcome.Kept.Select(k => k.Reason))}");
        return (outcome.Locked.TotalMilliseconds, ms);
    }

    private async Task<double> DeleteAsync(DateOnly day, long rows, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var watch = Stopwatch.StartNew();
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            await using var delete = new NpgsqlCommand("DELETE FROM positions WHERE recorded_at >= $1 AND recorded_at < $2", connection, tx);
            delete.Parameters.Add(new() { Value = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
            delete.Parameters.Add(new() { Value = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            if (deleted != rows) throw new InvalidOperationException($"DELETE removed {deleted} of {rows} rows");
        }
        var ms = watch.Elapsed.TotalMilliseconds;
        await ExecuteAsync($"DROP TABLE {PositionPartitions.NameOf(day)}", ct);
        return ms;
    }

    /// <summary>Scratch days and their bookkeeping rows, also those an interrupted run left.</summary>
    private Task CleanAsync(CancellationToken ct) => ExecuteAsync($"""
        DO $$ DECLARE p text; BEGIN
            FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'positions'::regclass AND c.relname LIKE 'positions\_19%'
            LOOP EXECUTE format('DROP TABLE %I', p); END LOOP;
        END $$;
        DELETE FROM position_days_dropped WHERE day < {Literal(new DateOnly(2000, 1, 1))}::date;
        """, ct);

    private static string Literal(DateOnly day) => "'" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00+00'";

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
