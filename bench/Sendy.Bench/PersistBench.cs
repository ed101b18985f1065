using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.Consumers;
using Sendy.Engine.Nodes;
using Sendy.Engine.Storage;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// Figure 1: the real consumer (coordinator, shard consumers, batch writer with checkpoints) reading a
/// pre-filled in-memory stream into PostGIS, next to a plain binary COPY of the same rows into a bare
/// table (the raw limit) and EF Core SaveChanges per batch (the naive floor).
/// </summary>
public sealed class PersistBench(string templatePg, Report report)
{
    public int Fixes { get; init; } = 500_000;
    public int Shards { get; init; } = 4;
    public int Trucks { get; init; } = 2_000;
    public int EfFixes { get; init; } = 40_000;
    public int BatchSize { get; init; } = 10_000;
    public int WarmUpRawFixes { get; init; } = 100_000;
    public TimeSpan GetRecordsInterval { get; init; } = TimeSpan.FromMilliseconds(10);
    public int TelemetryRounds { get; init; } = 5;

    private const string StreamName = "bench-persist";

    public async Task RunAsync(CancellationToken ct)
    {
        report.Setting("persist", new System.Text.Json.Nodes.JsonObject
        {
            ["fixes"] = Fixes, ["shards"] = Shards, ["trucks"] = Trucks, ["max_records_per_get"] = BatchSize,
            ["get_records_interval_ms"] = GetRecordsInterval.TotalMilliseconds,
            ["cross_node_notify"] = true, ["ef_fixes"] = EfFixes, ["warm_up"] = "each path once on a throwaway database (consumer: all fixes), then 1 s pause",
            ["note"] = "in-memory stream; GetRecords interval lowered from the 200 ms default (AWS's 5 calls/s/shard) so the stream is not the bottleneck",
        });
        var trucks = Enumerable.Range(0, Trucks).Select(i => $"P-{i:D5}").ToArray();
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        var positions = new List<TruckPosition>(Fixes);
        for (var i = 0; i < Fixes; i++)
        {
            var truck = i % Trucks;
            var step = i / Trucks;
            positions.Add(new TruckPosition(trucks[truck], 35 + truck * 0.001 + step * 1e-5, 127 + step * 1e-5,
                start.AddSeconds(step), start.AddSeconds(step).AddMilliseconds(300), 22.5, 90, 5));
        }
        Progress.Say($"persist: filling the in-memory stream with {Fixes:N0} fixes ({Trucks:N0} trucks, {Shards} shards)");
        var (stream, lastPerShard) = await FillAsync(positions, ct);

        // Steady state, not start-up: every path runs once on a throwaway database first. JIT tiering
        // re-compiles hot code only after it ran a while and after new code stopped appearing for a
        // moment, so the consumer's pass is a full one, last, followed by a pause. Measured cold, the
        // consumer (first in the process) carried 2-4 s of extra CPU that the raw COPY did not.
        Progress.Say("persist: warm-up pass of each path on a throwaway database");
        await using (var db = await BenchDatabase.CreateAsync(templatePg, "warmup"))
        {
            await db.AddTrucksAsync(trucks);
            await EfAsync(db, positions.Take(BatchSize).ToList(), ct);
            await db.ExecuteAsync("TRUNCATE positions");
            await RawCopyAsync(db, positions.Take(WarmUpRawFixes).ToList(), ct);
            await ConsumerAsync(db, stream, lastPerShard, Fixes, ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        double consumerRate, rawRate, efRate;
        await using (var db = await BenchDatabase.CreateAsync(templatePg, "persist"))
        {
            await db.AddTrucksAsync(trucks);
            consumerRate = await ConsumerAsync(db, stream, lastPerShard, Fixes, ct);
        }
        await using (var db = await BenchDatabase.CreateAsync(templatePg, "raw"))
            rawRate = await RawCopyAsync(db, positions, ct);
        await using (var db = await BenchDatabase.CreateAsync(templatePg, "ef"))
        {
            await db.AddTrucksAsync(trucks);
            efRate = await EfAsync(db, positions.Take(EfFixes).ToList(), ct);
        }

        // Telemetry's cost, side by side: the same consumer pass without and with the node's
        // OpenTelemetry set-up listening (the engine's batch spans with their Npgsql children, the
        // sendy.* and Npgsql meters, batch export to an exporter that only counts), alternating.
        var off = new List<double>();
        var on = new List<double>();
        for (var round = 0; round < TelemetryRounds; round++)
        {
            foreach (var telemetry in new[] { false, true })
            {
                await using var db = await BenchDatabase.CreateAsync(templatePg, $"otel{round}{(telemetry ? "on" : "off")}");
                await db.AddTrucksAsync(trucks);
                // Each pass starts from the same state: no dirty pages left by the previous pass for
                // PostgreSQL's checkpointer to write during this one, no garbage of it in the heap.
                await db.ExecuteAsync("CHECKPOINT");
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var listening = telemetry ? TelemetryListening.Start() : null;
                (telemetry ? on : off).Add(await ConsumerAsync(db, stream, lastPerShard, Fixes, ct));
                if (listening is null) continue;
                listening.Dispose(); // flushes the batch exporter first
                Progress.Say($"persist: telemetry on, {listening.Spans:N0} spans and {listening.MetricBatches} metric exports");
            }
        }

        report.Add(Figure.AtLeast("persist_consumer_positions_per_s", consumerRate, "positions/s", 100_000,
            $"{Fixes:N0} fixes, {Shards} shards, {Trucks:N0} trucks, batches of up to {BatchSize:N0}, checkpoint + latest position + pg_notify per batch, fsync on"));
        report.Add(Figure.Relative("persist_consumer_vs_raw_copy", consumerRate, "positions/s", rawRate, "persist_raw_copy_positions_per_s", 0.25));
        report.Add(Figure.Reference("persist_raw_copy_positions_per_s", rawRate, "positions/s",
            $"binary COPY of the same rows into a bare table with the same columns and types (geometry included; no keys, no indexes), {BatchSize:N0} rows per committed COPY, one connection"));
        report.Add(new Figure("persist_naive_ef_positions_per_s", efRate, "positions/s", "floor the consumer must beat",
            Figure.Round(consumerRate / efRate), "persist_consumer_positions_per_s (consumer / naive)", consumerRate > efRate,
            $"EF Core SaveChanges per batch of {BatchSize:N0} into positions, {EfFixes:N0} fixes"));
        // Medians: one pass in five swings by several per cent on this shared machine either way.
        var onRate = Percentiles.Median(on);
        var offRate = Percentiles.Median(off);
        report.Add(Figure.Reference("persist_telemetry_off_positions_per_s", offRate, "positions/s",
            $"median of {off.Count} consumer passes without telemetry, alternating with the 'on' ones: {string.Join(", ", off.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}"));
        report.Add(Figure.Relative("persist_telemetry_on_positions_per_s", onRate, "positions/s", offRate, "persist_telemetry_off_positions_per_s", 0.95,
            $"median of {on.Count} consumer passes with the node's tracing and metrics listening (batch export): {string.Join(", ", on.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}"));
    }

    private Task<(InMemoryStream Stream, Dictionary<string, string> LastPerShard)> FillAsync(List<TruckPosition> positions, CancellationToken ct) =>
        ConsumerPass.FillAsync(positions, Shards, ct);

    private async Task<double> ConsumerAsync(BenchDatabase db, InMemoryStream stream, Dictionary<string, string> lastPerShard,
        int fixes, CancellationToken ct)
    {
        // The app's sessions, as the console opens them (JIT off, statements prepared): SendyDatabase.AppConnectionString.
        await using var app = NpgsqlDataSource.Create(SendyDatabase.AppConnectionString(db.ConnectionString));
        var writer = new PostgresPositionBatchWriter(app, TimeProvider.System, new CrossNodeLive(new NodeId("bench-persist")));
        var seconds = await new ConsumerPass(BatchSize, GetRecordsInterval).RunAsync(app, writer, StreamName, stream, lastPerShard, ct);
        var stored = await db.ScalarAsync<long>("SELECT count(*) FROM positions");
        if (stored != fixes) throw new InvalidOperationException($"consumer stored {stored} of {fixes} fixes");
        return fixes / seconds;
    }

    private async Task<double> RawCopyAsync(BenchDatabase db, List<TruckPosition> positions, CancellationToken ct)
    {
        // The same columns and types as positions (geometry(Point,4326) included), but no key and no index.
        await db.ExecuteAsync("CREATE TABLE raw_positions (LIKE positions)");
        Progress.Say("persist: raw binary COPY");
        var storedAt = DateTimeOffset.UtcNow;
        var point = new byte[25];
        point[0] = 1; // EWKB, little endian, Point with SRID 4326
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(point.AsSpan(1), 0x2000_0001);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(point.AsSpan(5), 4326);
        var watch = Stopwatch.StartNew();
        await using var connection = await db.DataSource.OpenConnectionAsync(ct);
        for (var offset = 0; offset < positions.Count; offset += BatchSize)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var w = await connection.BeginBinaryImportAsync("""
                COPY raw_positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at,
                    location, speed_mps, heading_degrees, accuracy_meters) FROM STDIN (FORMAT BINARY)
                """, ct))
            {
                var end = Math.Min(offset + BatchSize, positions.Count);
                for (var i = offset; i < end; i++)
                {
                    var p = positions[i];
                    System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(9), p.Longitude);
                    System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(17), p.Latitude);
                    w.StartRow();
                    w.Write(StreamName, NpgsqlDbType.Text);
                    w.Write("shardId-000000000000", NpgsqlDbType.Text);
                    w.Write(i.ToString("D20", CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                    w.Write(p.TruckId, NpgsqlDbType.Text);
                    w.Write(p.RecordedAt, NpgsqlDbType.TimestampTz);
                    w.Write(p.ReceivedAt, NpgsqlDbType.TimestampTz);
                    w.Write(storedAt, NpgsqlDbType.TimestampTz);
                    w.Write(point, NpgsqlDbType.Bytea);
                    w.Write(p.SpeedMps!.Value, NpgsqlDbType.Double);
                    w.Write(p.HeadingDegrees!.Value, NpgsqlDbType.Double);
                    w.Write(p.AccuracyMeters!.Value, NpgsqlDbType.Double);
                }
                await w.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        return positions.Count / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> EfAsync(BenchDatabase db, List<TruckPosition> positions, CancellationToken ct)
    {
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<SendyDbContext>();
        SendyDatabase.Configure(options, db.ConnectionString);
        Progress.Say($"persist: EF Core SaveChanges ({positions.Count:N0} fixes)");
        var factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory(4326);
        var watch = Stopwatch.StartNew();
        var seq = 0;
        for (var offset = 0; offset < positions.Count; offset += BatchSize)
        {
            await using var context = new SendyDbContext(options.Options);
            foreach (var p in positions.Skip(offset).Take(BatchSize))
            {
                context.Positions.Add(new PositionRow
                {
                    ShardId = "shardId-000000000000", SequenceNumber = (seq++).ToString("D20", CultureInfo.InvariantCulture),
                    StreamName = "bench-ef", TruckId = p.TruckId, RecordedAt = p.RecordedAt, ReceivedAt = p.ReceivedAt,
                    StoredAt = DateTimeOffset.UtcNow, Location = factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(p.Longitude, p.Latitude)),
                    SpeedMps = p.SpeedMps, HeadingDegrees = p.HeadingDegrees, AccuracyMeters = p.AccuracyMeters,
                });
            }
            await context.SaveChangesAsync(ct);
        }
        return positions.Count / watch.Elapsed.TotalSeconds;
    }
}
