using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.History;
using Sendy.Engine.Leasing;
using Sendy.Engine.Quality;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// The hot path: the batch's new fixes go into <c>positions</c> by binary COPY, keyed by truck and
/// device time, so a replayed record (after a crash or a lost lease) and a re-sent upload (the
/// phone never saw our 202) are both stored once. Then the latest position (moved only by a newer
/// device time), dead letters, the cross-node notification and the checkpoint, all in one
/// transaction. A fix for a truck that does not exist is dead-lettered. Each new fix is judged
/// (<see cref="FixJudge"/>) from its truck's last good fix and the fixes flagged since: an
/// impossible jump or a low-accuracy fix is stored with its flag, counted, and moves neither the
/// latest position nor anything live.
/// </summary>
/// <param name="crossNode">When present, stored positions are also announced to other nodes (LISTEN/NOTIFY) in the same transaction.</param>
/// <param name="quality">What counts as an impossible jump (the defaults when null).</param>
/// <param name="partitions">
/// The daily partitions' view, to count the fixes whose day has none (PostgreSQL routes them to
/// <c>positions_default</c>, so they never fail the batch); not counted when null.
/// </param>
public sealed class PostgresPositionBatchWriter(NpgsqlDataSource dataSource, TimeProvider time, CrossNodeLive? crossNode = null,
    IOptions<FixQualityOptions>? quality = null, PositionPartitions? partitions = null)
    : IPositionBatchWriter
{
    private readonly FixQualityOptions _quality = quality?.Value ?? new FixQualityOptions();

    private const string ReadTrucks = """
        SELECT t.id, l.recorded_at, ST_Y(l.location), ST_X(l.location)
        FROM trucks t LEFT JOIN latest_positions l ON l.truck_id = t.id WHERE t.id = ANY($1)
        """;

    private const string ReadStored = """
        SELECT p.truck_id, p.recorded_at, ST_Y(p.location), ST_X(p.location), p.speed_mps, p.heading_degrees, p.accuracy_meters,
            p.quality_flag IS NOT NULL
        FROM unnest($1::text[], $2::timestamptz[]) AS k(truck_id, recorded_at)
        JOIN positions p ON p.truck_id = k.truck_id AND p.recorded_at = k.recorded_at
        """;

    /// <summary>
    /// Each truck's fixes flagged since its latest (good) position, newest first (the partial index
    /// ix_positions_flagged): the suspect run to judge from (jumps only: a low-accuracy fix is no
    /// evidence of a new place), and the flagged fixes a replay may repeat.
    /// </summary>
    private const string ReadSuspects = """
        SELECT s.truck_id, s.recorded_at, ST_Y(s.location), ST_X(s.location), s.speed_mps, s.heading_degrees, s.accuracy_meters,
            s.quality_flag
        FROM unnest($1::text[], $2::timestamptz[]) AS a(truck_id, since)
        CROSS JOIN LATERAL (
            SELECT p.truck_id, p.recorded_at, p.location, p.speed_mps, p.heading_degrees, p.accuracy_meters, p.quality_flag
            FROM positions p
            WHERE p.truck_id = a.truck_id AND p.recorded_at > a.since AND p.quality_flag IS NOT NULL
            ORDER BY p.recorded_at DESC
            LIMIT $3) s
        """;

    /// <summary>
    /// Flagged fixes read back per truck: far more than any re-anchoring run needs. A truck that sent
    /// more low-accuracy fixes than this since its last good one (a phone without GPS, a night in a
    /// garage) may have older jumps of a run fall outside; the run then starts again from the next jump.
    /// </summary>
    private const int MaxSuspects = 200;

    /// <summary>The dead-letter reason of a fix whose key is taken by a different fix.</summary>
    public const string DiffersFromStored = "differs from the stored fix with the same truck and device time";

    private const string UpdateLatest = """
        INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees,
            accuracy_meters, shard_id, sequence_number)
        SELECT truck_id, recorded_at, received_at, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
            speed_mps, heading_degrees, accuracy_meters, $1, sequence_number
        FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[], $7::float8[],
            $8::float8[], $9::float8[], $10::text[])
            AS u(truck_id, recorded_at, received_at, lat, lon, speed_mps, heading_degrees, accuracy_meters, sequence_number)
        ON CONFLICT (truck_id) DO UPDATE SET
            recorded_at = excluded.recorded_at, received_at = excluded.received_at, location = excluded.location,
            speed_mps = excluded.speed_mps, heading_degrees = excluded.heading_degrees,
            accuracy_meters = excluded.accuracy_meters, shard_id = excluded.shard_id,
            sequence_number = excluded.sequence_number
        WHERE latest_positions.recorded_at < excluded.recorded_at
        """;

    public async Task<BatchWriteResult> WriteAsync(PositionBatch batch, Lease held, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        var latestByTruck = await ReadTrucksAsync(connection, tx, batch.Fixes, cancellationToken);
        var known = new List<ShardFix>(batch.Fixes.Count);
        var unknown = new List<ShardFix>();
        foreach (var f in batch.Fixes)
            (latestByTruck.ContainsKey(f.Position.TruckId) ? known : unknown).Add(f);
        var differing = new List<ShardFix>();
        var flagged = new HashSet<(string, long)>();
        var newlyFlagged = 0;
        var unplaced = 0;
        if (known.Count > 0)
        {
            var suspects = await ReadSuspectsAsync(connection, tx, latestByTruck, cancellationToken);
            var fresh = await NotYetStoredAsync(connection, tx, known, latestByTruck, suspects, differing, flagged, cancellationToken);
            var flags = Judge(fresh, latestByTruck, suspects);
            for (var i = 0; i < fresh.Count; i++)
            {
                if (flags[i] is null) continue;
                flagged.Add(Key(fresh[i].Position));
                newlyFlagged++;
            }
            unplaced = await UnplacedAsync(fresh, cancellationToken);
            await PositionRows.InsertAsync(connection, tx, batch.StreamName, batch.ShardId, time.GetUtcNow(), fresh, flags, cancellationToken);
            if (differing.Count > 0) known.RemoveAll(differing.Contains);
            // A flagged fix (new, or stored flagged before and replayed) moves nothing.
            if (flagged.Count > 0) known.RemoveAll(f => flagged.Contains(Key(f.Position)));
            await UpdateLatestAsync(connection, tx, batch.ShardId, known, cancellationToken);
        }

        var poison = batch.Poison
            .Concat(unknown.Select(f => new PoisonRecord(f.SequenceNumber, f.PartitionKey, f.Data, $"unknown truck '{f.Position.TruckId}'")))
            .Concat(differing.Select(f => new PoisonRecord(f.SequenceNumber, f.PartitionKey, f.Data, DiffersFromStored)))
            .ToList();
        if (poison.Count > 0)
            await WriteDeadLettersAsync(connection, tx, batch, poison, cancellationToken);

        var stored = known.Select(f => f.Position).ToList();
        if (crossNode is not null)
            await LiveRelay.NotifyAsync(connection, tx, crossNode.Node, stored, cancellationToken);

        var lease = await PostgresLeaseStore.CheckpointAsync(connection, tx, held, batch.LastSequenceNumber, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new BatchWriteResult(lease, stored, poison.Count, newlyFlagged, unplaced);
    }

    /// <summary>How many of <paramref name="fresh"/> fall on a day without a partition.</summary>
    private async Task<int> UnplacedAsync(List<ShardFix> fresh, CancellationToken cancellationToken)
    {
        if (partitions is null || fresh.Count == 0) return 0;
        var days = fresh.Select(f => PositionPartitions.DayOf(f.Position.RecordedAt)).ToHashSet();
        var missing = await partitions.MissingAsync(days, cancellationToken);
        return missing.Count == 0 ? 0 : fresh.Count(f => missing.Contains(PositionPartitions.DayOf(f.Position.RecordedAt)));
    }

    /// <summary>The batch's trucks that exist, each with its latest (good) stored fix, if any.</summary>
    private static async Task<Dictionary<string, TruckPosition?>> ReadTrucksAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyList<ShardFix> fixes, CancellationToken cancellationToken)
    {
        var trucks = new Dictionary<string, TruckPosition?>(StringComparer.Ordinal);
        if (fixes.Count == 0) return trucks;
        var ids = fixes.Select(f => f.Position.TruckId).Distinct(StringComparer.Ordinal).ToArray();
        await using var cmd = new NpgsqlCommand(ReadTrucks, connection, tx);
        cmd.Parameters.Add(new() { Value = ids });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var truckId = reader.GetString(0);
            trucks[truckId] = reader.IsDBNull(1) ? null : new TruckPosition(truckId, reader.GetDouble(2), reader.GetDouble(3),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero), default);
        }
        return trucks;
    }

    /// <summary>Per truck with a latest position: the fixes flagged since it with their flags, oldest first (see <see cref="ReadSuspects"/>).</summary>
    private static async Task<Dictionary<string, List<(TruckPosition Fix, string Flag)>>> ReadSuspectsAsync(NpgsqlConnection connection,
        NpgsqlTransaction tx, Dictionary<string, TruckPosition?> latestByTruck, CancellationToken cancellationToken)
    {
        var suspects = new Dictionary<string, List<(TruckPosition Fix, string Flag)>>(StringComparer.Ordinal);
        var anchored = latestByTruck.Values.OfType<TruckPosition>().ToList();
        if (anchored.Count == 0) return suspects;
        await using var cmd = new NpgsqlCommand(ReadSuspects, connection, tx);
        cmd.Parameters.Add(new() { Value = anchored.Select(p => p.TruckId).ToArray() });
        cmd.Parameters.Add(new() { Value = anchored.Select(p => p.RecordedAt.UtcDateTime).ToArray() });
        cmd.Parameters.Add(new() { Value = MaxSuspects });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var position = ReadPosition(reader);
            if (!suspects.TryGetValue(position.TruckId, out var list)) suspects[position.TruckId] = list = [];
            list.Add((position, reader.GetString(7)));
        }
        foreach (var list in suspects.Values) list.Reverse();
        return suspects;
    }

    /// <summary>truck_id, recorded_at, lat, lon, speed, heading, accuracy from the reader's first seven columns.</summary>
    private static TruckPosition ReadPosition(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetDouble(2), reader.GetDouble(3),
            new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero), default,
            DoubleOrNull(reader, 4), DoubleOrNull(reader, 5), DoubleOrNull(reader, 6));

    /// <summary>
    /// The flag of each of <paramref name="fresh"/> (sorted by truck, then device time; null: good),
    /// judged per truck from its latest position and the run flagged since.
    /// </summary>
    private string?[] Judge(List<ShardFix> fresh, Dictionary<string, TruckPosition?> latestByTruck,
        Dictionary<string, List<(TruckPosition Fix, string Flag)>> suspects)
    {
        var flags = new string?[fresh.Count];
        var start = 0;
        while (start < fresh.Count)
        {
            var truckId = fresh[start].Position.TruckId;
            var end = start;
            while (end < fresh.Count && fresh[end].Position.TruckId == truckId) end++;
            var anchor = latestByTruck[truckId] is { } latest
                ? FixJudge.Resume(latest, suspects.GetValueOrDefault(truckId)?.Where(s => FixJudge.IsJump(s.Flag)).Select(s => s.Fix).ToList() ?? [], _quality)
                : null;
            var fixes = new TruckPosition[end - start];
            for (var i = start; i < end; i++) fixes[i - start] = fresh[i].Position;
            var (judged, _) = FixJudge.Judge(anchor, fixes, _quality);
            for (var i = start; i < end; i++) flags[i] = judged[i - start].Flag;
            start = end;
        }
        return flags;
    }

    /// <summary>
    /// The first of each (truck, device time) in the page, in key order, without those already stored. A fix newer
    /// than its truck's latest position cannot be stored yet, so only older ones (a backlog, a
    /// replay, a re-sent upload) are looked up. Should that shortcut ever be wrong, the COPY meets the
    /// key and the idempotent insert takes over: the key, not this filter, guarantees stored-once.
    /// A fix whose key is taken (earlier in the page, or stored) by a fix with other values goes to
    /// <paramref name="differing"/>: not stored, not dropped without a trace. A fix stored flagged
    /// before (a replay) goes to <paramref name="storedFlagged"/>: it moves nothing this time either.
    /// </summary>
    private static async Task<List<ShardFix>> NotYetStoredAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<ShardFix> known, Dictionary<string, TruckPosition?> latestByTruck, Dictionary<string, List<(TruckPosition Fix, string Flag)>> suspects,
        List<ShardFix> differing, HashSet<(string, long)> storedFlagged, CancellationToken cancellationToken)
    {
        var firsts = new List<ShardFix>(known.Count);
        var seen = new Dictionary<(string, long), TruckPosition>(known.Count);
        // Fixes flagged since the latest position are stored although newer than it: a replay finds them here.
        Dictionary<(string, long), TruckPosition>? flaggedSince = null;
        foreach (var list in suspects.Values)
            foreach (var (p, _) in list)
                (flaggedSince ??= [])[Key(p)] = p;
        List<ShardFix>? older = null;
        foreach (var f in known)
        {
            var key = Key(f.Position);
            if (seen.TryGetValue(key, out var first))
            {
                if (!SameFix(first, f.Position)) differing.Add(f);
                continue;
            }
            seen.Add(key, f.Position);
            if (flaggedSince is not null && flaggedSince.TryGetValue(key, out var kept))
            {
                if (SameFix(kept, f.Position)) storedFlagged.Add(key);
                else differing.Add(f);
                continue;
            }
            firsts.Add(f);
            if (latestByTruck[f.Position.TruckId] is { } latest && key.Ticks <= Key(latest).Ticks)
                (older ??= []).Add(f);
        }
        // In key order, the index inserts of one truck land on the same leaf page one after another:
        // measured, this takes about a third off the server's cost of the insert.
        firsts.Sort(static (a, b) =>
        {
            var byTruck = string.CompareOrdinal(a.Position.TruckId, b.Position.TruckId);
            return byTruck != 0 ? byTruck : a.Position.RecordedAt.UtcTicks.CompareTo(b.Position.RecordedAt.UtcTicks);
        });
        if (older is null) return firsts;

        var stored = new Dictionary<(string, long), (TruckPosition Fix, bool Flagged)>();
        await using (var cmd = new NpgsqlCommand(ReadStored, connection, tx))
        {
            cmd.Parameters.Add(new() { Value = older.Select(f => f.Position.TruckId).ToArray() });
            cmd.Parameters.Add(new() { Value = older.Select(f => f.Position.RecordedAt.UtcDateTime).ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var position = ReadPosition(reader);
                stored[Key(position)] = (position, reader.GetBoolean(7));
            }
        }
        if (stored.Count == 0) return firsts;
        var fresh = new List<ShardFix>(firsts.Count);
        foreach (var f in firsts)
        {
            var key = Key(f.Position);
            if (!stored.TryGetValue(key, out var kept)) fresh.Add(f);
            else if (!SameFix(kept.Fix, f.Position)) differing.Add(f);
            else if (kept.Flagged) storedFlagged.Add(key);
        }
        return fresh;
    }

    private static double? DoubleOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>The same fix sent again: position, speed, heading and accuracy equal (the receive time may differ).</summary>
    private static bool SameFix(TruckPosition a, TruckPosition b) =>
        a.Latitude.Equals(b.Latitude) && a.Longitude.Equals(b.Longitude) && Nullable.Equals(a.SpeedMps, b.SpeedMps)
        && Nullable.Equals(a.HeadingDegrees, b.HeadingDegrees) && Nullable.Equals(a.AccuracyMeters, b.AccuracyMeters);

    /// <summary>The stored identity of a fix: PostgreSQL keeps microseconds, so finer ticks are cut as Npgsql cuts them.</summary>
    private static (string TruckId, long Ticks) Key(TruckPosition p)
    {
        var ticks = p.RecordedAt.UtcTicks;
        return (p.TruckId, ticks - ticks % 10);
    }

    private static async Task UpdateLatestAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string shardId,
        List<ShardFix> known, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, ShardFix>(StringComparer.Ordinal);
        foreach (var f in known)
            if (!newest.TryGetValue(f.Position.TruckId, out var seen) || f.Position.RecordedAt > seen.Position.RecordedAt)
                newest[f.Position.TruckId] = f;
        var rows = newest.Values.ToList();
        await using var cmd = new NpgsqlCommand(UpdateLatest, connection, tx);
        cmd.Parameters.Add(new() { Value = shardId });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.TruckId).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.RecordedAt.UtcDateTime).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.ReceivedAt.UtcDateTime).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.Latitude).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.Longitude).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.SpeedMps).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.HeadingDegrees).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.Position.AccuracyMeters).ToArray() });
        cmd.Parameters.Add(new() { Value = rows.Select(f => f.SequenceNumber).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task WriteDeadLettersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, PositionBatch batch,
        List<PoisonRecord> poison, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO dead_letters (stream_name, shard_id, sequence_number, partition_key, data, reason, failed_at)
            SELECT $1, $2, seq, pk, data, reason, $3
            FROM unnest($4::text[], $5::text[], $6::bytea[], $7::text[]) AS p(seq, pk, data, reason)
            ON CONFLICT (stream_name, shard_id, sequence_number) DO NOTHING
            """, connection, tx);
        cmd.Parameters.Add(new() { Value = batch.StreamName });
        cmd.Parameters.Add(new() { Value = batch.ShardId });
        cmd.Parameters.Add(new() { Value = time.GetUtcNow() });
        cmd.Parameters.Add(new() { Value = poison.Select(p => p.SequenceNumber).ToArray() });
        cmd.Parameters.Add(new() { Value = poison.Select(p => p.PartitionKey).ToArray() });
        cmd.Parameters.Add(new() { Value = poison.Select(p => p.Data.ToArray()).ToArray() });
        cmd.Parameters.Add(new() { Value = poison.Select(p => p.Reason).ToArray() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
