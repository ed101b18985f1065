using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.Leasing;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Consumers;

/// <summary>
/// The hot path: binary COPY into a temp staging table, one idempotent insert on (stream, shard id,
/// sequence number) that also skips a fix the truck already has at the same device time (a re-sent
/// upload), the latest position moved only by a newer device time, dead letters, and the
/// checkpoint, all in one transaction. A fix for a truck that does not exist is dead-lettered.
/// </summary>
/// <param name="relayNodeId">When set, stored positions are also announced to other nodes (LISTEN/NOTIFY) in the same transaction.</param>
public sealed class PostgresPositionBatchWriter(NpgsqlDataSource dataSource, TimeProvider time, string? relayNodeId = null)
    : IPositionBatchWriter
{
    private const string CreateStaging = """
        CREATE TEMP TABLE IF NOT EXISTS position_staging (
            shard_id text, sequence_number text, truck_id text, recorded_at timestamptz, received_at timestamptz,
            lat float8, lon float8, speed_mps float8, heading_degrees float8, accuracy_meters float8
        ) ON COMMIT DELETE ROWS
        """;

    private const string CopyStaging = """
        COPY position_staging (shard_id, sequence_number, truck_id, recorded_at, received_at, lat, lon,
            speed_mps, heading_degrees, accuracy_meters) FROM STDIN (FORMAT BINARY)
        """;

    private const string SelectNewFixes = """
        INSERT INTO positions (shard_id, sequence_number, stream_name, truck_id, recorded_at, received_at, stored_at,
            location, speed_mps, heading_degrees, accuracy_meters)
        SELECT DISTINCT ON (truck_id, recorded_at) shard_id, sequence_number, $1, truck_id, recorded_at, received_at, $2,
            ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed_mps, heading_degrees, accuracy_meters
        FROM position_staging s
        -- A re-sent upload (the phone never saw our 202) arrives as new records: one truck has one fix per device time.
        WHERE NOT EXISTS (SELECT 1 FROM positions p WHERE p.truck_id = s.truck_id AND p.recorded_at = s.recorded_at)
        ORDER BY truck_id, recorded_at, sequence_number
        """;

    // A key conflict is rare (a page written by two workers at once: a zombie and the new owner), so
    // the insert runs without ON CONFLICT first: its speculative insertion costs noticeably more per
    // row. A duplicate key rolls back to the savepoint and the idempotent form runs instead; what
    // ends up stored is the same.
    private const string InsertPositionsPlain = SelectNewFixes;

    private const string InsertPositions = SelectNewFixes + "\nON CONFLICT DO NOTHING";

    private const string UpdateLatest = """
        INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees,
            accuracy_meters, shard_id, sequence_number)
        SELECT DISTINCT ON (truck_id) truck_id, recorded_at, received_at, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
            speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number
        FROM position_staging
        ORDER BY truck_id, recorded_at DESC
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

        var (known, unknown) = await SplitByKnownTruckAsync(connection, tx, batch.Fixes, cancellationToken);
        if (known.Count > 0)
        {
            await using (var create = new NpgsqlCommand(CreateStaging, connection, tx))
                await create.ExecuteNonQueryAsync(cancellationToken);
            await CopyAsync(connection, batch.ShardId, known, cancellationToken);
            await InsertPositionsAsync(connection, tx, batch.StreamName, cancellationToken);
            await using var latest = new NpgsqlCommand(UpdateLatest, connection, tx);
            await latest.ExecuteNonQueryAsync(cancellationToken);
        }

        var poison = batch.Poison.Concat(unknown.Select(f => new PoisonRecord(f.SequenceNumber, f.PartitionKey, f.Data,
            $"unknown truck '{f.Position.TruckId}'"))).ToList();
        if (poison.Count > 0)
            await WriteDeadLettersAsync(connection, tx, batch, poison, cancellationToken);

        var stored = known.Select(f => f.Position).ToList();
        if (relayNodeId is not null)
            await LiveRelay.NotifyAsync(connection, tx, relayNodeId, stored, cancellationToken);

        var lease = await PostgresLeaseStore.CheckpointAsync(connection, tx, held, batch.LastSequenceNumber, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new BatchWriteResult(lease, stored, poison.Count);
    }

    private async Task InsertPositionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string streamName,
        CancellationToken cancellationToken)
    {
        var storedAt = time.GetUtcNow();
        await tx.SaveAsync("plain_insert", cancellationToken);
        try
        {
            await using var plain = new NpgsqlCommand(InsertPositionsPlain, connection, tx)
            {
                Parameters = { new() { Value = streamName }, new() { Value = storedAt } },
            };
            await plain.ExecuteNonQueryAsync(cancellationToken);
            await tx.ReleaseAsync("plain_insert", cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("plain_insert", cancellationToken);
            await using var idempotent = new NpgsqlCommand(InsertPositions, connection, tx)
            {
                Parameters = { new() { Value = streamName }, new() { Value = storedAt } },
            };
            await idempotent.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<(List<ShardFix> Known, List<ShardFix> Unknown)> SplitByKnownTruckAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<ShardFix> fixes, CancellationToken cancellationToken)
    {
        if (fixes.Count == 0) return ([], []);
        var ids = fixes.Select(f => f.Position.TruckId).Distinct(StringComparer.Ordinal).ToArray();
        await using var cmd = new NpgsqlCommand("SELECT id FROM trucks WHERE id = ANY($1)", connection, tx);
        cmd.Parameters.Add(new() { Value = ids });
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                existing.Add(reader.GetString(0));
        if (existing.Count == ids.Length) return (fixes as List<ShardFix> ?? fixes.ToList(), []);
        var known = new List<ShardFix>(fixes.Count);
        var unknown = new List<ShardFix>();
        foreach (var f in fixes)
            (existing.Contains(f.Position.TruckId) ? known : unknown).Add(f);
        return (known, unknown);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string shardId, List<ShardFix> fixes,
        CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(CopyStaging, cancellationToken);
        WriteRows(writer, shardId, fixes, cancellationToken);
        await writer.CompleteAsync(cancellationToken);
    }

    // Synchronous writes: the importer buffers rows and only touches the socket when its buffer is
    // full, so per-field async state machines cost far more than the occasional blocking flush.
    private static void WriteRows(NpgsqlBinaryImporter writer, string shardId, List<ShardFix> fixes, CancellationToken cancellationToken)
    {
        foreach (var f in fixes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var p = f.Position;
            writer.StartRow();
            writer.Write(shardId, NpgsqlDbType.Text);
            writer.Write(f.SequenceNumber, NpgsqlDbType.Text);
            writer.Write(p.TruckId, NpgsqlDbType.Text);
            writer.Write(p.RecordedAt, NpgsqlDbType.TimestampTz);
            writer.Write(p.ReceivedAt, NpgsqlDbType.TimestampTz);
            writer.Write(p.Latitude, NpgsqlDbType.Double);
            writer.Write(p.Longitude, NpgsqlDbType.Double);
            WriteNullable(writer, p.SpeedMps);
            WriteNullable(writer, p.HeadingDegrees);
            WriteNullable(writer, p.AccuracyMeters);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter writer, double? value)
    {
        if (value is { } v) writer.Write(v, NpgsqlDbType.Double);
        else writer.WriteNull();
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
