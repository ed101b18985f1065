using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.History;

namespace Sendy.Bench;

/// <summary>
/// Fills a fresh copy of the template with <see cref="HistoryShape"/>'s history by binary COPY: the
/// fleet (trucks, drivers, one open delivery each), then each day as the app's partition job makes
/// one (<see cref="PartitionMaintainer"/>: a table like <c>positions</c>, filled, then attached
/// with a CHECK so the attach need not scan it; named <c>positions_YYYYMMDD</c>), here with the
/// parent's indexes already on it so they grow row by row as in production, and COPY FREEZE (the
/// table is new in the transaction) so no vacuum has to visit the old days afterwards. Days load in
/// parallel (SENDY_BENCH_HISTORY_PARALLEL, default 2). Then the delivery of every shift (closed),
/// the latest positions, VACUUM (ANALYZE) and each day's key rebuilt, as the partition job leaves closed days.
/// </summary>
public sealed class HistoryGenerator(NpgsqlDataSource db, HistoryShape shape, DateOnly firstDay)
{
    private const string StreamName = "sendy-positions";
    private const int Shards = 4;

    private const string Copy = """
        COPY {0} (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at,
            location, speed_mps, heading_degrees, accuracy_meters) FROM STDIN (FORMAT BINARY, FREEZE)
        """;

    public async Task GenerateAsync(CancellationToken ct)
    {
        await ExecuteAsync("CREATE SCHEMA bench; CREATE TABLE bench.trail_deliveries (delivery_id uuid PRIMARY KEY, truck_id text NOT NULL, fixes int NOT NULL)", ct);
        // The template's own (empty) days would overlap the history's.
        if (await ScalarAsync<long>("SELECT count(*) FROM positions", ct) != 0) throw new InvalidOperationException("the template holds positions");
        await ExecuteAsync("""
            DO $$ DECLARE p text; BEGIN
                FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'positions'::regclass AND c.relname <> 'positions_default'
                LOOP EXECUTE format('DROP TABLE %I', p); END LOOP;
            END $$
            """, ct);
        var drivers = await FleetAsync(ct);

        var watch = Stopwatch.StartNew();
        var parallel = (int)HistoryShape.Knob("PARALLEL", 2);
        var shifts = new ConcurrentDictionary<int, HistoryShift[]>();
        long loaded = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, shape.Days), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
            async (index, token) =>
            {
                var (dayShifts, timing) = await LoadDayAsync(index, token);
                shifts[index] = dayShifts;
                var done = Interlocked.Add(ref loaded, shape.RowsOf(index));
                Progress.Say($"history: day {index + 1}/{shape.Days} loaded ({timing}; {done:N0} positions, {done / watch.Elapsed.TotalSeconds:N0}/s)");
            });
        Progress.Say($"history: {loaded:N0} positions by COPY in {watch.Elapsed.TotalSeconds:N0} s ({parallel} days at a time)");

        await DeliveriesAsync(shifts, drivers, ct);
        await LatestAsync(ct);
        // What the partition job does to each closed day (PartitionMaintainer: VACUUM (ANALYZE) an
        // hour after its end), so trails read the covering primary key alone, as they would in the app.
        var analyze = Stopwatch.StartNew();
        await ExecuteAsync("VACUUM (ANALYZE)", ct);
        Progress.Say($"history: VACUUM (ANALYZE) in {analyze.Elapsed.TotalSeconds:N0} s");
        // And, as the job does once per closed day, each day's primary key rebuilt packed.
        var rebuild = Stopwatch.StartNew();
        await ExecuteAsync("""
            DO $$ DECLARE r record; BEGIN
                FOR r IN SELECT c.relname, i.indexrelid::regclass AS key FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
                         JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
                         WHERE h.inhparent = 'positions'::regclass AND c.relname ~ '^positions_[0-9]{8}$' AND c.relpages > 0
                LOOP
                    EXECUTE format('REINDEX INDEX %s', r.key);
                    INSERT INTO position_day_keys_rebuilt (day, rebuilt_at) VALUES (to_date(right(r.relname, 8), 'YYYYMMDD'), now())
                    ON CONFLICT (day) DO NOTHING;
                END LOOP;
            END $$
            """, ct);
        Progress.Say($"history: primary keys rebuilt in {rebuild.Elapsed.TotalSeconds:N0} s");
    }

    /// <summary>Every fleet truck with a driver and one delivery under way; returns the driver of each truck.</summary>
    private async Task<Guid[]> FleetAsync(CancellationToken ct)
    {
        var ids = Enumerable.Range(0, shape.Fleet).Select(HistoryShape.TruckId).ToArray();
        var drivers = ids.Select(_ => Guid.NewGuid()).ToArray();
        var since = firstDay.AddDays(shape.Days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await ExecuteAsync("INSERT INTO trucks (id, name, plate, created_at) SELECT id, 'Truck ' || id, '12가' || right(id, 4), $2 FROM unnest($1::text[]) AS t(id)",
            ct, ids, since.AddDays(-shape.Days - 30));
        await ExecuteAsync("""
            INSERT INTO drivers (id, name, truck_id, token_hash, created_at)
            SELECT d, 'Driver ' || t, t, sha256(d::text::bytea), $3 FROM unnest($1::uuid[], $2::text[]) AS x(d, t)
            """, ct, drivers, ids, since.AddDays(-shape.Days - 30));
        await ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, truck_id, driver_id, customer_name, status, status_changed_at, created_at,
                truck_assigned_at, picked_up_at)
            SELECT gen_random_uuid(), sha256(('open' || t)::bytea), t, dr, 'Customer ' || t, 'InTransit', $3, $3, $3, $3
            FROM unnest($1::text[], $2::uuid[]) AS x(t, dr)
            """, ct, ids, drivers, since);
        return drivers;
    }

    /// <summary>Generates and loads one day; returns its shifts and where the time went.</summary>
    private async Task<(HistoryShift[] Shifts, string Timing)> LoadDayAsync(int index, CancellationToken ct)
    {
        var day = firstDay.AddDays(index);
        var watch = Stopwatch.StartNew();
        var (fixes, shifts) = HistoryTracks.Day(shape, index, day);
        var generated = watch.Elapsed.TotalSeconds;
        var name = PositionPartitions.NameOf(day);
        var from = Literal(day);
        var to = Literal(day.AddDays(1));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, $"CREATE TABLE {name} (LIKE positions INCLUDING ALL)", ct);
        await using (var writer = await connection.BeginBinaryImportAsync(string.Format(CultureInfo.InvariantCulture, Copy, name), ct))
        {
            WriteRows(writer, day, fixes);
            await writer.CompleteAsync(ct);
        }
        var copied = watch.Elapsed.TotalSeconds;
        await Execute(connection, $"ALTER TABLE {name} ADD CONSTRAINT {name}_day CHECK (recorded_at >= {from} AND recorded_at < {to})", ct);
        await Execute(connection, $"ALTER TABLE positions ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to})", ct);
        await Execute(connection, $"ALTER TABLE {name} DROP CONSTRAINT {name}_day", ct);
        await tx.CommitAsync(ct);
        return (shifts, string.Create(CultureInfo.InvariantCulture,
            $"generated {generated:0.0} s, COPY {copied - generated:0.0} s, attach and commit {watch.Elapsed.TotalSeconds - copied:0.0} s"));
    }

    private static void WriteRows(NpgsqlBinaryImporter writer, DateOnly day, HistoryFix[] fixes)
    {
        var trucks = new Dictionary<int, string>();
        var point = new byte[25];
        point[0] = 1; // EWKB, little endian, Point with SRID 4326
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(point.AsSpan(1), 0x2000_0001);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(point.AsSpan(5), 4326);
        var shardIds = Enumerable.Range(0, Shards).Select(s => $"shardId-{s:D12}").ToArray();
        for (var i = 0; i < fixes.Length; i++)
        {
            var f = fixes[i];
            if (!trucks.TryGetValue(f.Truck, out var truckId)) trucks[f.Truck] = truckId = HistoryShape.TruckId(f.Truck);
            var recorded = new DateTime(f.RecordedTicks, DateTimeKind.Utc);
            var received = recorded.AddMilliseconds(f.ReceivedAfterMs);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(9), f.Longitude);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(17), f.Latitude);
            writer.StartRow();
            writer.Write(StreamName, NpgsqlDbType.Text);
            writer.Write(shardIds[f.Truck % Shards], NpgsqlDbType.Text);
            // 56 digits, as Kinesis sequence numbers are: their bytes count in the disk figure.
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"4959{day.DayNumber:D10}{f.Truck % Shards:D2}{i:D40}"), NpgsqlDbType.Text);
            writer.Write(truckId, NpgsqlDbType.Text);
            writer.Write(recorded, NpgsqlDbType.TimestampTz);
            writer.Write(received, NpgsqlDbType.TimestampTz);
            writer.Write(received.AddMilliseconds(f.StoredAfterMs), NpgsqlDbType.TimestampTz);
            writer.Write(point, NpgsqlDbType.Bytea);
            writer.Write((double)f.Speed, NpgsqlDbType.Double);
            writer.Write((double)f.Heading, NpgsqlDbType.Double);
            writer.Write((double)f.Accuracy, NpgsqlDbType.Double);
        }
    }

    /// <summary>One closed delivery per shift (picked up at its first fix, delivered at its last); the dense ones are the trails timed.</summary>
    private async Task DeliveriesAsync(ConcurrentDictionary<int, HistoryShift[]> shifts, Guid[] drivers, CancellationToken ct)
    {
        var all = shifts.OrderBy(s => s.Key).SelectMany(s => s.Value).ToList();
        var ids = all.Select(_ => Guid.NewGuid()).ToArray();
        var hashes = ids.Select(id => SHA256.HashData(id.ToByteArray())).ToArray();
        await ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, truck_id, driver_id, customer_name, status, status_changed_at, created_at,
                truck_assigned_at, picked_up_at, delivered_at, closed_at, tracking_expires_at)
            SELECT id, h, t, dr, 'Customer ' || t, 'Delivered', e, s - interval '2 hours', s - interval '30 minutes', s, e, e, e + interval '7 days'
            FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::uuid[], $5::timestamptz[], $6::timestamptz[]) AS x(id, h, t, dr, s, e)
            """, ct, ids, hashes, all.Select(s => HistoryShape.TruckId(s.Truck)).ToArray(), all.Select(s => drivers[s.Truck]).ToArray(),
            all.Select(s => s.Start).ToArray(), all.Select(s => s.End).ToArray());
        var dense = Enumerable.Range(0, all.Count).Where(i => all[i].Dense).ToList();
        await ExecuteAsync("INSERT INTO bench.trail_deliveries SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])", ct,
            dense.Select(i => ids[i]).ToArray(), dense.Select(i => HistoryShape.TruckId(all[i].Truck)).ToArray(),
            dense.Select(_ => HistoryShape.DenseFixes).ToArray());
        Progress.Say($"history: {all.Count:N0} closed deliveries, {dense.Count} of them 10-hour trails at 5 s");
    }

    /// <summary>Each history truck's last fix; the rest of the fleet parked at home, so all of it shows on the dispatcher's map.</summary>
    private async Task LatestAsync(CancellationToken ct)
    {
        var last = PositionPartitions.NameOf(firstDay.AddDays(shape.Days - 1));
        await ExecuteAsync($"""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number)
            SELECT DISTINCT ON (truck_id) truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number
            FROM {last} ORDER BY truck_id, recorded_at DESC
            """, ct);
        var parked = Enumerable.Range(shape.Trucks, shape.Fleet - shape.Trucks).ToArray();
        var at = firstDay.AddDays(shape.Days - 1).ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc);
        await ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number)
            SELECT t, $4, $4 + interval '1 second', ST_SetSRID(ST_MakePoint(lon, lat), 4326), 0, 0, 5, 'shardId-000000000000', '0'
            FROM unnest($1::text[], $2::float8[], $3::float8[]) AS x(t, lat, lon)
            """, ct, parked.Select(HistoryShape.TruckId).ToArray(), parked.Select(t => HistoryTracks.Home(t).Latitude).ToArray(),
            parked.Select(t => HistoryTracks.Home(t).Longitude).ToArray(), at);
    }

    private static string Literal(DateOnly day) => "'" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00+00'";

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
