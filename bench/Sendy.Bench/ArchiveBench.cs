using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.History;
using Sendy.Engine.History.Archive;

namespace Sendy.Bench;

/// <summary>
/// The archive's figure: a whole day of positions through the app's <see cref="PositionArchiver"/>
/// into moto's S3 (binary COPY out, Parquet, upload, every object read back and checked, the
/// manifest written and read back), in rows per second end to end; and Parquet's bytes per row,
/// for the README's cost of a year with the archive.
/// <para>
/// The app archives a day at a time in a process that runs for months, so the figure with the
/// target is a day archived after another one (as the app's second day onwards is); the first
/// day, in this fresh process (code compiled as it runs, connections opened), is a reference
/// beside it, as the trail's first reads are.
/// </para>
/// </summary>
public sealed class ArchiveBench(string pg, string s3Endpoint, Report report)
{
    public const double TargetRowsPerSecond = 300_000;
    public const string RowsPerSecondFigure = "history_archive_rows_per_s";

    /// <summary>Archives the biggest day of the database at <c>pg</c> (not measured when no day has rows).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(pg);
        // The steps before (drop against DELETE) leave gigabytes of dirty buffers and WAL: a
        // checkpoint first, as each persist pass has, so writing them back is not timed as the archive.
        await using (var checkpoint = dataSource.CreateCommand("CHECKPOINT")) await checkpoint.ExecuteNonQueryAsync(ct);
        // The two biggest days: the second biggest first (the reference), then the biggest (the figure).
        var days = new List<(DateOnly Day, long Rows)>();
        await using (var cmd = dataSource.CreateCommand("""
            SELECT c.relname, GREATEST(c.reltuples, 0)::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'positions'::regclass AND c.relname <> 'positions_default' AND c.reltuples > 0
            ORDER BY c.reltuples DESC LIMIT 2
            """))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                days.Add((PositionPartitions.DayOfName(reader.GetString(0)) ?? throw new InvalidOperationException(reader.GetString(0)), reader.GetInt64(1)));
        }
        if (days.Count < 2)
        {
            report.Add(Figure.NotMeasured(RowsPerSecondFigure, "rows/s", $">= {TargetRowsPerSecond}", "fewer than two days with rows to archive"));
            return;
        }
        var options = new ArchiveOptions
        {
            Enabled = true, Bucket = $"sendy-bench-{Guid.NewGuid():N}"[..24], ServiceUrl = s3Endpoint, CreateBucketIfMissing = true,
            RequestTimeout = TimeSpan.FromMinutes(5),
        };
        // SENDY_BENCH_HISTORY_ARCHIVE_ROWS_PER_OBJECT tries another object size (the app's default otherwise).
        options.RowsPerObject = (int)HistoryShape.Knob("ARCHIVE_ROWS_PER_OBJECT", options.RowsPerObject);
        options.RowsPerRowGroup = Math.Min(options.RowsPerRowGroup, options.RowsPerObject);
        using var store = new S3ArchiveStore(Options.Create(options));
        var archiver = new PositionArchiver(dataSource, store, new PositionPartitions(dataSource, TimeProvider.System), Options.Create(options), TimeProvider.System,
            NullLogger<PositionArchiver>.Instance);
        await archiver.PrepareAsync(ct);
        var (first, firstSeconds) = await ArchiveAsync(archiver, days[1], ct);
        report.Add(Figure.Reference("history_archive_first_day_rows_per_s", Math.Round(first.Rows / firstSeconds), "rows/s",
            $"the first day archived by this process: {Describe(first, firstSeconds)}"));
        var (done, seconds) = await ArchiveAsync(archiver, days[0], ct);
        report.Add(Figure.AtLeast(RowsPerSecondFigure, Math.Round(done.Rows / seconds), "rows/s", TargetRowsPerSecond,
            $"the next day: {Describe(done, seconds)}"));
        report.Add(Figure.Reference("history_archive_parquet_bytes_per_row", Math.Round((double)done.Bytes / done.Rows, 1), "B/row", "Parquet (Snappy) in the archive"));
    }

    private async Task<(PositionArchiver.DayArchived Done, double Seconds)> ArchiveAsync(PositionArchiver archiver, (DateOnly Day, long Rows) day, CancellationToken ct)
    {
        Progress.Say($"archive: {day.Day:yyyy-MM-dd} (about {day.Rows:N0} rows) to moto's S3 at {s3Endpoint}");
        var clock = Stopwatch.StartNew();
        var done = await archiver.ArchiveDayAsync(day.Day, ct);
        return (done, clock.Elapsed.TotalSeconds);
    }

    private static string Describe(PositionArchiver.DayArchived done, double seconds) =>
        $"{done.Rows:N0} rows of {done.Day:yyyy-MM-dd} in {done.Objects} Parquet objects ({done.Bytes / 1048576.0:F1} MiB) in {seconds:F1} s: "
        + "COPY out, encode, upload, read back and check every object, manifest";
}
