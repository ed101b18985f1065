using System.Buffers.Binary;
using Npgsql;
using NpgsqlTypes;

namespace Sendy.Engine.Consumers;

/// <summary>
/// Writes fixes into <c>positions</c>: a binary COPY straight into the table, and the idempotent
/// insert that takes over when the COPY meets a key that is already there.
/// </summary>
internal static class PositionRows
{
    private const string Copy = """
        COPY positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at,
            location, speed_mps, heading_degrees, accuracy_meters, quality_flag) FROM STDIN (FORMAT BINARY)
        """;

    private const string InsertIdempotent = """
        INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at,
            location, speed_mps, heading_degrees, accuracy_meters, quality_flag)
        SELECT $1, $2, sequence_number, truck_id, recorded_at, received_at, $3,
            ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed_mps, heading_degrees, accuracy_meters, quality_flag
        FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::float8[], $9::float8[],
            $10::float8[], $11::float8[], $12::float8[], $13::text[])
            AS u(sequence_number, truck_id, recorded_at, received_at, lat, lon, speed_mps, heading_degrees, accuracy_meters, quality_flag)
        ON CONFLICT (truck_id, recorded_at) DO NOTHING
        """;

    /// <summary>EWKB of a point with SRID 4326: byte order, type with the SRID flag, SRID, x, y.</summary>
    private const int EwkbPointLength = 25;

    /// <summary>
    /// Stores <paramref name="fixes"/> (no two with the same truck and device time), each with its
    /// quality flag (<paramref name="flags"/>, same order; null: a good fix). The caller has
    /// left out the ones it knows are stored, so a key conflict means another writer stored some of
    /// them meanwhile (a zombie worker on the same page): then the statement that skips existing
    /// keys runs instead. ON CONFLICT is not the first choice because its speculative insertion
    /// writes an extra WAL record per row and more than doubles the insert's cost.
    /// </summary>
    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string streamName, string shardId,
        DateTimeOffset storedAt, IReadOnlyList<ShardFix> fixes, IReadOnlyList<string?> flags, CancellationToken cancellationToken)
    {
        if (fixes.Count == 0) return;
        await tx.SaveAsync("copy_positions", cancellationToken);
        try
        {
            await CopyAsync(connection, streamName, shardId, storedAt, fixes, flags, cancellationToken);
            await tx.ReleaseAsync("copy_positions", cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("copy_positions", cancellationToken);
            await InsertIdempotentAsync(connection, tx, streamName, shardId, storedAt, fixes, flags, cancellationToken);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string streamName, string shardId, DateTimeOffset storedAt,
        IReadOnlyList<ShardFix> fixes, IReadOnlyList<string?> flags, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(Copy, cancellationToken);
        WriteRows(writer, streamName, shardId, storedAt, fixes, flags, cancellationToken);
        await writer.CompleteAsync(cancellationToken);
    }

    // Synchronous writes: the importer buffers rows and only touches the socket when its buffer is
    // full, so per-field async state machines cost far more than the occasional blocking flush.
    private static void WriteRows(NpgsqlBinaryImporter writer, string streamName, string shardId, DateTimeOffset storedAt,
        IReadOnlyList<ShardFix> fixes, IReadOnlyList<string?> flags, CancellationToken cancellationToken)
    {
        // Binary COPY carries no type per field: the server reads each value with the column's own
        // binary input, which for geometry is (E)WKB. So the point goes as its 25 EWKB bytes, with
        // no geometry objects built on either side.
        var point = NewEwkbPoint();
        for (var i = 0; i < fixes.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var f = fixes[i];
            var p = f.Position;
            SetEwkbPoint(point, p.Longitude, p.Latitude);
            writer.StartRow();
            writer.Write(streamName, NpgsqlDbType.Text);
            writer.Write(shardId, NpgsqlDbType.Text);
            writer.Write(f.SequenceNumber, NpgsqlDbType.Text);
            writer.Write(p.TruckId, NpgsqlDbType.Text);
            writer.Write(p.RecordedAt, NpgsqlDbType.TimestampTz);
            writer.Write(p.ReceivedAt, NpgsqlDbType.TimestampTz);
            writer.Write(storedAt, NpgsqlDbType.TimestampTz);
            writer.Write(point, NpgsqlDbType.Bytea);
            WriteNullable(writer, p.SpeedMps);
            WriteNullable(writer, p.HeadingDegrees);
            WriteNullable(writer, p.AccuracyMeters);
            if (flags[i] is { } flag) writer.Write(flag, NpgsqlDbType.Text);
            else writer.WriteNull();
        }
    }

    /// <summary>A buffer for <see cref="SetEwkbPoint"/>: byte order, type with the SRID flag and SRID 4326 filled in.</summary>
    internal static byte[] NewEwkbPoint()
    {
        var point = new byte[EwkbPointLength];
        point[0] = 1; // little endian
        BinaryPrimitives.WriteUInt32LittleEndian(point.AsSpan(1), 0x2000_0001); // Point, SRID present
        BinaryPrimitives.WriteInt32LittleEndian(point.AsSpan(5), 4326);
        return point;
    }

    /// <summary>Puts a point's coordinates into a <see cref="NewEwkbPoint"/> buffer.</summary>
    internal static void SetEwkbPoint(byte[] point, double longitude, double latitude)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(9), longitude);
        BinaryPrimitives.WriteDoubleLittleEndian(point.AsSpan(17), latitude);
    }

    /// <summary>
    /// The coordinates of a <c>geometry(Point, 4326)</c> as PostGIS sends it in binary (EWKB, the
    /// layout of <see cref="NewEwkbPoint"/> in either byte order). Anything else is refused, not guessed at.
    /// </summary>
    internal static (double Latitude, double Longitude) ReadEwkbPoint(ReadOnlySpan<byte> ewkb)
    {
        if (ewkb.Length != EwkbPointLength || ewkb[0] > 1)
            throw new InvalidDataException($"positions.location is not an EWKB point with an SRID ({ewkb.Length} bytes).");
        var little = ewkb[0] == 1;
        var type = little ? BinaryPrimitives.ReadUInt32LittleEndian(ewkb[1..]) : BinaryPrimitives.ReadUInt32BigEndian(ewkb[1..]);
        if (type != 0x2000_0001)
            throw new InvalidDataException($"positions.location has EWKB type 0x{type:x8}, not a 2D point with an SRID.");
        var x = little ? BinaryPrimitives.ReadDoubleLittleEndian(ewkb[9..]) : BinaryPrimitives.ReadDoubleBigEndian(ewkb[9..]);
        var y = little ? BinaryPrimitives.ReadDoubleLittleEndian(ewkb[17..]) : BinaryPrimitives.ReadDoubleBigEndian(ewkb[17..]);
        return (y, x);
    }

    internal static void WriteNullable(NpgsqlBinaryImporter writer, double? value)
    {
        if (value is { } v) writer.Write(v, NpgsqlDbType.Double);
        else writer.WriteNull();
    }

    private static async Task InsertIdempotentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string streamName,
        string shardId, DateTimeOffset storedAt, IReadOnlyList<ShardFix> fixes, IReadOnlyList<string?> flags, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(InsertIdempotent, connection, tx);
        cmd.Parameters.Add(new() { Value = streamName });
        cmd.Parameters.Add(new() { Value = shardId });
        cmd.Parameters.Add(new() { Value = storedAt });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.SequenceNumber).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.TruckId).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.RecordedAt.UtcDateTime).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.ReceivedAt.UtcDateTime).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.Latitude).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.Longitude).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.SpeedMps).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.HeadingDegrees).ToArray() });
        cmd.Parameters.Add(new() { Value = fixes.Select(f => f.Position.AccuracyMeters).ToArray() });
        cmd.Parameters.Add(new() { Value = flags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
