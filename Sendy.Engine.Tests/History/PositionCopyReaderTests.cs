using System.Buffers.Binary;
using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.History.Archive;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.History;

/// <summary>
/// The archive's reader of PostgreSQL's binary COPY, on bytes the real PostgreSQL sent: every
/// column's value as Npgsql's own typed reader reads it (NULLs, text beyond ASCII, times before
/// 2000, the last bit of the coordinates), however the stream cuts the bytes; and bytes that are
/// not what it expects (cut short, another shape, a NULL where none may be) refused by name.
/// </summary>
public sealed class PositionCopyReaderTests : IAsyncLifetime
{
    private const string Columns = """
        truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees,
        accuracy_meters, quality_flag, stream_name, shard_id, sequence_number
        """;

    private readonly TestDatabase _db = new();

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        await _db.ExecuteAsync("CREATE TABLE shapes (LIKE positions)");
        await _db.ExecuteAsync("""
            INSERT INTO shapes (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                speed_mps, heading_degrees, accuracy_meters, quality_flag)
            SELECT 'sendy-positions', 'shardId-00000000000' || (g % 4), (49650000000000000000000000 + g)::text,
                CASE WHEN g % 7 = 0 THEN '서울-트럭-' || (g % 3) ELSE 'T-' || (g % 3) END,
                '1999-12-31 23:59:59.999999+00'::timestamptz + g * interval '7 seconds 13 microseconds',
                '2034-05-01 00:00:00+00'::timestamptz + g * interval '1 second',
                '2034-05-01 00:00:01.000001+00'::timestamptz,
                ST_SetSRID(ST_MakePoint(-179.9 + g * 0.000013 + 1e-13, 89.9 - g * 0.0000071), 4326),
                CASE WHEN g % 5 = 0 THEN NULL ELSE g * 0.1 END, CASE WHEN g % 6 = 0 THEN NULL ELSE -0.0 END,
                CASE WHEN g % 4 = 0 THEN NULL ELSE 3.5 END, CASE WHEN g % 11 = 0 THEN 'précision' END
            FROM generate_series(1, 3000) g
            """);
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4093)]
    public async Task every_value_is_read_as_npgsqls_typed_reader_reads_it_however_the_stream_cuts_the_bytes(int bytesPerRead)
    {
        var copy = await CopyAsync();

        var read = ReadAll(new Trickle(copy, bytesPerRead));

        Assert.Equal(await ExpectedAsync(), read);
    }

    [Fact]
    public async Task rows_as_the_archiver_reads_them_from_the_connection()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var stream = await connection.BeginRawBinaryCopyAsync($"COPY shapes ({Columns}) TO STDOUT (FORMAT BINARY)");

        var read = ReadAll(stream);

        Assert.Equal(await ExpectedAsync(), read);
    }

    [Fact]
    public async Task bytes_that_are_not_a_whole_copy_of_these_columns_are_refused_by_name()
    {
        var copy = await CopyAsync();
        var firstRow = 19; // signature (11), flags (4), header extension length (4): PostgreSQL sends no extension

        Assert.Contains("no trailer", Refused(copy[..^2]));
        Assert.Contains("no trailer", Refused(copy[..(firstRow + 40)]));
        Assert.Contains("signature", Refused([.. copy[..5], (byte)'X', .. copy[6..]]));
        Assert.Contains("after its trailer", Refused([.. copy, 0, 1]));

        var wrongCount = copy.ToArray();
        BinaryPrimitives.WriteInt16BigEndian(wrongCount.AsSpan(firstRow), 11);
        Assert.Contains("11 fields", Refused(wrongCount));

        // The first field (truck_id) made NULL: its length -1, its bytes gone.
        var truckLength = BinaryPrimitives.ReadInt32BigEndian(copy.AsSpan(firstRow + 2));
        byte[] nullTruck = [.. copy[..(firstRow + 2)], 0xff, 0xff, 0xff, 0xff, .. copy[(firstRow + 6 + truckLength)..]];
        Assert.Contains("truck_id is NULL", Refused(nullTruck));

        // recorded_at given 4 bytes instead of 8.
        var at = firstRow + 6 + truckLength;
        byte[] shortTime = [.. copy[..at], 0, 0, 0, 4, .. copy[(at + 4)..(at + 8)], .. copy[(at + 12)..]];
        Assert.Contains("timestamptz", Refused(shortTime));
    }

    private async Task<byte[]> CopyAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var stream = await connection.BeginRawBinaryCopyAsync($"COPY shapes ({Columns}) TO STDOUT (FORMAT BINARY)");
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private static string Refused(byte[] copy) =>
        Assert.Throws<InvalidDataException>(() => ReadAll(new MemoryStream(copy))).Message;

    private static List<string> ReadAll(Stream stream)
    {
        var reader = new PositionCopyReader(stream);
        var rows = new List<string>();
        var batch = new FixColumns(100);
        while (true)
        {
            var more = reader.ReadRow(batch);
            if (!more || batch.Count == batch.Capacity)
            {
                for (var i = 0; i < batch.Count; i++) rows.Add(Line(batch, i));
                batch.Count = 0;
            }
            if (!more) return rows;
        }
    }

    private static string Line(FixColumns r, int i) =>
        string.Join('|', r.TruckId[i], $"{r.RecordedAt[i]:O}{r.RecordedAt[i].Kind}", $"{r.ReceivedAt[i]:O}", $"{r.StoredAt[i]:O}",
            $"{r.Latitude[i]:R}", $"{r.Longitude[i]:R}", $"{r.SpeedMps[i]:R}", $"{r.HeadingDegrees[i]:R}", $"{r.AccuracyMeters[i]:R}",
            r.QualityFlag[i] ?? "<null>", r.StreamName[i], r.ShardId[i], r.SequenceNumber[i]);

    /// <summary>The same rows through Npgsql's typed binary export, in the table's order.</summary>
    private async Task<List<string>> ExpectedAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await using var export = await connection.BeginBinaryExportAsync(
            "COPY (SELECT truck_id, recorded_at, received_at, stored_at, ST_Y(location), ST_X(location), speed_mps, heading_degrees, "
            + "accuracy_meters, quality_flag, stream_name, shard_id, sequence_number FROM shapes) TO STDOUT (FORMAT BINARY)");
        var rows = new List<string>();
        var one = new FixColumns(1);
        while (export.StartRow() != -1)
        {
            one.TruckId[0] = export.Read<string>();
            one.RecordedAt[0] = export.Read<DateTime>(NpgsqlDbType.TimestampTz);
            one.ReceivedAt[0] = export.Read<DateTime>(NpgsqlDbType.TimestampTz);
            one.StoredAt[0] = export.Read<DateTime>(NpgsqlDbType.TimestampTz);
            one.Latitude[0] = export.Read<double>();
            one.Longitude[0] = export.Read<double>();
            one.SpeedMps[0] = export.IsNull ? Skip<double?>(export) : export.Read<double>();
            one.HeadingDegrees[0] = export.IsNull ? Skip<double?>(export) : export.Read<double>();
            one.AccuracyMeters[0] = export.IsNull ? Skip<double?>(export) : export.Read<double>();
            one.QualityFlag[0] = export.IsNull ? Skip<string>(export) : export.Read<string>();
            one.StreamName[0] = export.Read<string>();
            one.ShardId[0] = export.Read<string>();
            one.SequenceNumber[0] = export.Read<string>();
            rows.Add(Line(one, 0));
        }
        Assert.Equal(3000, rows.Count);
        return rows;
    }

    private static T? Skip<T>(NpgsqlBinaryExporter export)
    {
        export.Skip();
        return default;
    }

    /// <summary>Hands out at most <c>per</c> bytes a read, as a network may.</summary>
    private sealed class Trickle(byte[] bytes, int per) : Stream
    {
        private int _at;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, per), bytes.Length - _at);
            Array.Copy(bytes, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
