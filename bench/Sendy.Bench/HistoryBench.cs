using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sendy.Engine.Consumers;
using Sendy.Engine.Fleet;
using Sendy.Engine.History;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// Issue 18's targets, on <see cref="HistoryDatabase"/> (50 M positions over 60 days by default):
/// the batch writer into it against an empty database (alternating passes), a 10-hour delivery's
/// trail and the dispatcher's first load through the app's own queries, dropping a day against
/// DELETE (<see cref="HistoryDropBench"/>), and bytes per row. Run only when named:
/// <c>SENDY_BENCH_ONLY=history</c>.
/// </summary>
public sealed class HistoryBench(string templatePg, string? s3Endpoint, Report report)
{
    public int PersistFixes { get; init; } = (int)HistoryShape.Knob("PERSIST_FIXES", 500_000);
    public int Rounds { get; init; } = (int)HistoryShape.Knob("ROUNDS", 5);
    public int TrailQueries { get; init; } = (int)HistoryShape.Knob("TRAIL_QUERIES", 500);
    public int FleetLoads { get; init; } = (int)HistoryShape.Knob("FLEET_LOADS", 100);

    /// <summary>What the customer's page asks for (TrackLive.MaxTrailPoints).</summary>
    private const int TrailPoints = 2_000;

    private const int Shards = 4;
    private const int BatchSize = 10_000;
    private static readonly TimeSpan GetRecordsInterval = TimeSpan.FromMilliseconds(10);

    public async Task RunAsync(CancellationToken ct)
    {
        var shape = HistoryShape.FromEnvironment();
        var (marker, reused) = await HistoryDatabase.EnsureAsync(templatePg, shape, ct);
        await using var services = HistoryServices.Build(HistoryDatabase.ConnectionString(templatePg));
        var db = services.GetRequiredService<NpgsqlDataSource>();
        // As the app does on start: yesterday to a week ahead (the persist passes write there).
        await services.GetRequiredService<PartitionMaintainer>().MaintainOnceAsync(ct);

        report.Setting("history", new JsonObject
        {
            ["database"] = HistoryDatabase.Name, ["positions"] = marker.Rows, ["days"] = marker.Days,
            ["first_day"] = marker.FirstDay.ToString("O", CultureInfo.InvariantCulture), ["last_day"] = marker.LastDay.ToString("O", CultureInfo.InvariantCulture),
            ["trucks_with_history"] = marker.Trucks, ["fleet"] = marker.Fleet, ["dense_deliveries_per_day"] = shape.DensePerDay,
            ["reused"] = reused, ["generated_at"] = marker.GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
            ["persist_fixes_per_pass"] = PersistFixes, ["persist_rounds"] = Rounds, ["trail_queries"] = TrailQueries, ["fleet_loads"] = FleetLoads,
            ["s3_endpoint"] = s3Endpoint, ["load_average_at_start"] = LoadAverage(),
        });
        report.Add(Figure.Reference("history_generation_s", marker.GenerationSeconds, "s",
            (reused ? $"reused, not generated again: made {marker.GeneratedAt:yyyy-MM-dd HH:mm} UTC" : $"generated in this run, {HistoryShape.Knob("PARALLEL", 2)} days at a time")
            + $": {marker.Rows:N0} positions by binary COPY into {marker.Days} day partitions, with the fleet, deliveries, latest positions and VACUUM (ANALYZE)"));

        // SENDY_BENCH_HISTORY_STEPS=trail,archive (for instance) runs only those steps, to try a change.
        var steps = Environment.GetEnvironmentVariable("SENDY_BENCH_HISTORY_STEPS") is { Length: > 0 } only
            ? only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : null;
        bool Runs(string step) => steps is null || steps.Contains(step);
        if (Runs("bytes")) await BytesPerRowAsync(db, marker, ct);
        if (Runs("trail")) await TrailAsync(db, services.GetRequiredService<ITrackingQueries>(), ct);
        if (Runs("fleet")) await FleetAsync(services.GetRequiredService<IFleetQueries>(), marker, ct);
        if (Runs("persist")) await PersistAsync(db, marker, ct);
        if (Runs("drop")) await new HistoryDropBench(db, services.GetRequiredService<PositionRetention>(), marker, report).RunAsync(ct);
        if (Runs("archive")) await ArchiveAsync(ct);
        report.Setting("history_load_average_at_end", LoadAverage());
    }

    /// <summary>The machine's 1, 5 and 15-minute load averages: other work on it moves every figure here.</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Disk per row of the history days (heap, TOAST and indexes), and what that makes of a year at issue 18's 86.4 M rows a day.</summary>
    private async Task BytesPerRowAsync(NpgsqlDataSource db, HistoryMarker marker, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT sum(pg_total_relation_size(c.oid))::float8, sum(pg_table_size(c.oid))::float8, sum(pg_indexes_size(c.oid))::float8
            FROM pg_class c WHERE c.relname = ANY($1)
            """);
        cmd.Parameters.Add(new() { Value = marker.HistoryDays.Select(PositionPartitions.NameOf).ToArray() });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (total, table, indexes) = (r.GetDouble(0), r.GetDouble(1), r.GetDouble(2));
        var perRow = total / marker.Rows;
        const double RowsPerDay = 5_000 * 86_400 / 5.0;
        const double GiB = 1024.0 * 1024 * 1024;
        report.Add(Figure.Reference("history_bytes_per_row", perRow, "bytes",
            $"pg_total_relation_size of the {marker.Days} history partitions / {marker.Rows:N0} rows: table {table / marker.Rows:0.#} + indexes {indexes / marker.Rows:0.#} (primary key, BRIN on stored_at, partial flagged); loaded in device-time order with the indexes in place; WAL and the archive not counted"));
        report.Add(Figure.Reference("history_disk_year_at_86m_rows_per_day_gib", perRow * RowsPerDay * 365 / GiB, "GiB",
            "bytes per row x 86.4 M rows a day (5,000 trucks, a fix every 5 s) x 365 days, in PostgreSQL"));
        report.Add(Figure.Reference("history_disk_180_days_at_86m_rows_per_day_gib", perRow * RowsPerDay * 180 / GiB, "GiB",
            "the same for the default retention (Sendy:History:Retention, 180 days)"));
    }

    /// <summary>
    /// The trail of a 10-hour delivery (7,200 fixes at 5 s) as the customer's page asks for it: first
    /// each delivery once, in random order, with the caches as the run found them (shared_buffers
    /// cold after the cluster's start; the OS page cache holds what it holds), then
    /// <see cref="TrailQueries"/> more over the same deliveries: the figure with the target.
    /// </summary>
    private async Task TrailAsync(NpgsqlDataSource db, ITrackingQueries tracking, CancellationToken ct)
    {
        var deliveries = new List<Guid>();
        await using (var cmd = db.CreateCommand("SELECT delivery_id FROM bench.trail_deliveries ORDER BY delivery_id"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) deliveries.Add(r.GetGuid(0));
        if (deliveries.Count == 0) throw new InvalidOperationException("no 10-hour deliveries in bench.trail_deliveries");
        Progress.Say($"history: trails of {deliveries.Count} 10-hour deliveries, each once, then {TrailQueries} more");
        var rng = new Random(18);
        var first = new List<double>();
        foreach (var id in deliveries.OrderBy(_ => rng.Next()).ToList())
            first.Add((await TrailAsync(tracking, id, ct)).Ms);
        var times = new List<double>();
        long points = 0;
        for (var i = 0; i < TrailQueries; i++)
        {
            var (ms, count) = await TrailAsync(tracking, deliveries[rng.Next(deliveries.Count)], ct);
            times.Add(ms);
            points += count;
        }
        first.Sort();
        times.Sort();
        var what = $"ITrackingQueries.GetTrailSincePickupAsync(maxPoints {TrailPoints}) over {deliveries.Count} deliveries of {HistoryShape.DenseFixes:N0} fixes";
        report.Add(Figure.Reference("history_trail_10h_first_read_p99_ms", Percentiles.Of(first, 99), "ms",
            $"{what}, each once in random order, caches as found (the cluster started for this run); p50 {Percentiles.Of(first, 50):0.0} ms, max {first[^1]:0.0} ms"));
        report.Add(Figure.AtMost("history_trail_10h_p99_ms", Percentiles.Of(times, 99), "ms", 50,
            $"{what}, {times.Count} queries in random order after each was read once; p50 {Percentiles.Of(times, 50):0.0} ms, max {times[^1]:0.0} ms, "
            + $"{points / (double)times.Count:N0} points a trail on average"));
    }

    private static async Task<(double Ms, int Points)> TrailAsync(ITrackingQueries tracking, Guid delivery, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var trail = await tracking.GetTrailSincePickupAsync(delivery, TrailPoints, ct);
        var ms = watch.Elapsed.TotalMilliseconds;
        if (trail.Count is < 2 or > TrailPoints) throw new InvalidOperationException($"the trail of {delivery} has {trail.Count} points");
        return (ms, trail.Count);
    }

    /// <summary>The dispatcher page's first load: every truck with its driver, delivery and latest position.</summary>
    private async Task FleetAsync(IFleetQueries fleet, HistoryMarker marker, CancellationToken ct)
    {
        Progress.Say($"history: {FleetLoads} loads of the dispatcher's fleet");
        var times = new List<double>();
        for (var i = -3; i < FleetLoads; i++)
        {
            var watch = Stopwatch.StartNew();
            var trucks = await fleet.ListTrucksAsync(ct);
            var ms = watch.Elapsed.TotalMilliseconds;
            var placed = trucks.Count(t => t.LatestPosition is not null);
            if (placed < marker.Fleet) throw new InvalidOperationException($"the fleet query returned {placed} trucks with a position, expected {marker.Fleet}");
            if (i >= 0) times.Add(ms);
        }
        times.Sort();
        report.Add(Figure.AtMost("history_dispatch_initial_load_p95_ms", Percentiles.Of(times, 95), "ms", 200,
            $"IFleetQueries.ListTrucksAsync (the dispatch page's first load): {marker.Fleet:N0} trucks with latest positions, drivers and "
            + $"{marker.Days * marker.Trucks:N0} closed deliveries besides an open one each; {times.Count} loads, p50 {Percentiles.Of(times, 50):0.0} ms, max {times[^1]:0.0} ms"));
    }

    /// <summary>
    /// The app's batch writer, through the real consumer, into the full database and into a fresh
    /// empty copy of the template, alternating (each round in the other order), medians compared.
    /// Each pass gets the app's services anew (fresh connections) and a CHECKPOINT first.
    /// </summary>
    private async Task PersistAsync(NpgsqlDataSource full, HistoryMarker marker, CancellationToken ct)
    {
        var trucks = Enumerable.Range(0, marker.Trucks).Select(HistoryShape.TruckId).ToArray();
        var span = TimeSpan.FromSeconds(Math.Ceiling(PersistFixes / (double)trucks.Length)) + TimeSpan.FromMinutes(1);
        // After every stored fix (earlier runs' passes included), so each is a live fix, newer than its
        // truck's latest; and after the history's days, so they stay as generated (bytes per row, drops).
        DateTime latest;
        await using (var cmd = full.CreateCommand("SELECT max(recorded_at) FROM latest_positions"))
            latest = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        var after = new[] { latest.AddHours(1), DateTime.UtcNow.AddHours(-6), marker.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue) }.Max().Ticks;
        var start = new DateTimeOffset(after - after % TimeSpan.TicksPerSecond, TimeSpan.Zero);

        Progress.Say("history: persist warm-up pass into an empty database");
        await EmptyPassAsync(trucks, Positions(trucks, start), ct);
        var empty = new List<double>();
        var onFull = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var positions = Positions(trucks, start + span * round);
            foreach (var intoFull in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                if (intoFull) await EmptyLiveDaysAsync(full, positions, ct);
                var rate = intoFull
                    ? await PassAsync(HistoryDatabase.ConnectionString(templatePg), positions, $"bench-history-{positions[0].RecordedAt.ToUnixTimeSeconds()}", ct)
                    : await EmptyPassAsync(trucks, positions, ct);
                (intoFull ? onFull : empty).Add(rate);
                Progress.Say($"history: round {round}, {(intoFull ? "full" : "empty")} database: {rate:N0} positions/s");
            }
        }
        var emptyRate = Percentiles.Median(empty);
        var fullRate = Percentiles.Median(onFull);
        static string List(List<double> rates) => string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)));
        report.Add(Figure.Reference("history_persist_empty_positions_per_s", emptyRate, "positions/s",
            $"median of {empty.Count} consumer passes of {PersistFixes:N0} fixes ({trucks.Length:N0} trucks, {Shards} shards, batches of up to {BatchSize:N0}) "
            + $"through the app's batch writer into a fresh empty copy of the template: {List(empty)}"));
        report.Add(Figure.Relative("history_persist_full_positions_per_s", fullRate, "positions/s", emptyRate, "history_persist_empty_positions_per_s", 0.9,
            $"median of {onFull.Count} passes of the same fixes into {HistoryDatabase.Name} ({marker.Rows:N0} positions of history; the live day's partition emptied before each pass, as in an empty database), alternating with the empty ones: {List(onFull)}"));
    }

    /// <summary>
    /// Empties the partitions of the days a pass writes in the full database (earlier passes and
    /// earlier runs wrote there): the live day then starts empty as it does in each empty database,
    /// and the 60 days of history are the difference measured, not a live day grown by every pass.
    /// </summary>
    private static async Task EmptyLiveDaysAsync(NpgsqlDataSource full, List<TruckPosition> positions, CancellationToken ct)
    {
        for (var day = PositionPartitions.DayOf(positions[0].RecordedAt); day <= PositionPartitions.DayOf(positions[^1].RecordedAt); day = day.AddDays(1))
        {
            await using var cmd = full.CreateCommand($"""
                DO $$ BEGIN
                    IF to_regclass('{PositionPartitions.NameOf(day)}') IS NOT NULL THEN TRUNCATE {PositionPartitions.NameOf(day)}; END IF;
                END $$
                """);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task<double> EmptyPassAsync(string[] trucks, List<TruckPosition> positions, CancellationToken ct)
    {
        await using var db = await BenchDatabase.CreateAsync(templatePg, "history_empty");
        await db.AddTrucksAsync(trucks);
        return await PassAsync(db.ConnectionString, positions, "bench-history", ct);
    }

    /// <summary>One consumer pass of <paramref name="positions"/> into the database; checks every fix is stored in its day's partition, none flagged.</summary>
    private async Task<double> PassAsync(string connectionString, List<TruckPosition> positions, string streamName, CancellationToken ct)
    {
        await using var services = HistoryServices.Build(connectionString);
        var db = services.GetRequiredService<NpgsqlDataSource>();
        await services.GetRequiredService<PartitionMaintainer>().MaintainOnceAsync(ct);
        var (stream, last) = await ConsumerPass.FillAsync(positions, Shards, ct);
        await using (var checkpoint = db.CreateCommand("CHECKPOINT")) await checkpoint.ExecuteNonQueryAsync(ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var seconds = await new ConsumerPass(BatchSize, GetRecordsInterval)
            .RunAsync(db, services.GetRequiredService<IPositionBatchWriter>(), streamName, stream, last, ct);

        await using var cmd = db.CreateCommand("""
            SELECT count(*), count(*) FILTER (WHERE quality_flag IS NOT NULL), (SELECT count(*) FROM positions_default)
            FROM positions WHERE recorded_at >= $1 AND recorded_at <= $2
            """);
        cmd.Parameters.Add(new() { Value = positions[0].RecordedAt.UtcDateTime });
        cmd.Parameters.Add(new() { Value = positions[^1].RecordedAt.UtcDateTime });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.GetInt64(0) != positions.Count || r.GetInt64(1) != 0 || r.GetInt64(2) != 0)
            throw new InvalidOperationException($"a persist pass stored {r.GetInt64(0)} of {positions.Count} fixes, {r.GetInt64(1)} flagged, {r.GetInt64(2)} in positions_default");
        return positions.Count / seconds;
    }

    /// <summary>A fix a second per truck from <paramref name="from"/>, each truck starting at its home and creeping north-east.</summary>
    private List<TruckPosition> Positions(string[] trucks, DateTimeOffset from)
    {
        var positions = new List<TruckPosition>(PersistFixes);
        for (var i = 0; i < PersistFixes; i++)
        {
            var truck = i % trucks.Length;
            var step = i / trucks.Length;
            var (lat, lon) = HistoryTracks.Home(truck);
            var at = from.AddSeconds(step);
            positions.Add(new TruckPosition(trucks[truck], lat + step * 1e-5, lon + step * 1e-5, at, at.AddMilliseconds(300), 1.5, 45, 5));
        }
        return positions;
    }

    /// <summary>
    /// The archive's figure (issue 18: at least 300,000 rows/s into Parquet on moto's S3,
    /// SENDY_BENCH_S3_ENDPOINT) belongs to the archive's author: archive days of this database here.
    /// </summary>
    private async Task ArchiveAsync(CancellationToken ct)
    {
        if (s3Endpoint is null)
        {
            report.Add(Figure.NotMeasured(ArchiveBench.RowsPerSecondFigure, "rows/s", ">= 300000 rows/s", "SENDY_BENCH_S3_ENDPOINT is not set (moto's S3)"));
            return;
        }
        await new ArchiveBench(HistoryDatabase.ConnectionString(templatePg), s3Endpoint, report).RunAsync(ct);
    }
}
