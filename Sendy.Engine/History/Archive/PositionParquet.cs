using System.Security.Cryptography;
using Parquet;
using Parquet.Schema;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// A batch of archived fixes, column by column (as Parquet stores them and as the binary COPY
/// reads them): every column of <c>positions</c>, the location as latitude and longitude.
/// </summary>
public sealed class FixColumns(int capacity)
{
    public string[] TruckId { get; } = new string[capacity];
    public DateTime[] RecordedAt { get; } = new DateTime[capacity];
    public DateTime[] ReceivedAt { get; } = new DateTime[capacity];
    public DateTime[] StoredAt { get; } = new DateTime[capacity];
    public double[] Latitude { get; } = new double[capacity];
    public double[] Longitude { get; } = new double[capacity];
    public double?[] SpeedMps { get; } = new double?[capacity];
    public double?[] HeadingDegrees { get; } = new double?[capacity];
    public double?[] AccuracyMeters { get; } = new double?[capacity];
    public string?[] QualityFlag { get; } = new string?[capacity];
    public string[] StreamName { get; } = new string[capacity];
    public string[] ShardId { get; } = new string[capacity];
    public string[] SequenceNumber { get; } = new string[capacity];

    public int Capacity => capacity;

    public int Count { get; set; }
}

/// <summary>
/// The archive's file format: Parquet (Parquet.Net), one schema for every day. Times are UTC
/// timestamps in microseconds (PostgreSQL's precision: a restored fix has the same key), so
/// Athena, DuckDB and Spark read the objects as they are.
/// </summary>
public static class PositionParquet
{
    public const string ContentType = "application/vnd.apache.parquet";

    private static readonly DataField<string> TruckId = new("truck_id", false);
    private static readonly DateTimeDataField RecordedAt = new("recorded_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DateTimeDataField ReceivedAt = new("received_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DateTimeDataField StoredAt = new("stored_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DataField<double> Latitude = new("latitude", false);
    private static readonly DataField<double> Longitude = new("longitude", false);
    private static readonly DataField<double?> SpeedMps = new("speed_mps", true);
    private static readonly DataField<double?> HeadingDegrees = new("heading_degrees", true);
    private static readonly DataField<double?> AccuracyMeters = new("accuracy_meters", true);
    private static readonly DataField<string> QualityFlag = new("quality_flag", true);
    private static readonly DataField<string> StreamName = new("stream_name", false);
    private static readonly DataField<string> ShardId = new("shard_id", false);
    private static readonly DataField<string> SequenceNumber = new("sequence_number", false);

    public static ParquetSchema Schema { get; } = new(TruckId, RecordedAt, ReceivedAt, StoredAt, Latitude, Longitude, SpeedMps, HeadingDegrees,
        AccuracyMeters, QualityFlag, StreamName, ShardId, SequenceNumber);

    /// <summary>One Parquet object built a row group at a time (the archiver reads the next group meanwhile).</summary>
    public sealed class ObjectBuilder
    {
        private readonly MemoryStream _output;
        private readonly ParquetWriter _writer;

        private ObjectBuilder(MemoryStream output, ParquetWriter writer)
        {
            _output = output;
            _writer = writer;
        }

        /// <summary>Rows added so far (counted when a group is handed over, before it is encoded).</summary>
        public long Rows { get; private set; }

        public static async Task<ObjectBuilder> CreateAsync(CancellationToken cancellationToken)
        {
            var output = new MemoryStream();
            return new ObjectBuilder(output, await ParquetWriter.CreateAsync(Schema, output, cancellationToken: cancellationToken));
        }

        /// <summary>
        /// Adds all of <paramref name="rows"/> as one row group: counts them now and encodes them on
        /// a thread of its own. Parquet.Net encodes into the memory stream without ever yielding, so
        /// the caller (the archiver's COPY reader) would otherwise encode each group itself before
        /// reading on.
        /// </summary>
        public Task AddGroupAsync(FixColumns rows, CancellationToken cancellationToken)
        {
            var n = rows.Count;
            Rows += n;
            return Task.Run(() => WriteGroupAsync(rows, 0, n, cancellationToken), cancellationToken);
        }

        private async Task WriteGroupAsync(FixColumns rows, int start, int n, CancellationToken cancellationToken)
        {
            using var group = _writer.CreateRowGroup();
            await group.WriteAsync(TruckId, new ArraySegment<string>(rows.TruckId, start, n));
            await group.WriteAsync<DateTime>(RecordedAt, rows.RecordedAt.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<DateTime>(ReceivedAt, rows.ReceivedAt.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<DateTime>(StoredAt, rows.StoredAt.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(Latitude, rows.Latitude.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(Longitude, rows.Longitude.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(SpeedMps, rows.SpeedMps.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(HeadingDegrees, rows.HeadingDegrees.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync<double>(AccuracyMeters, rows.AccuracyMeters.AsMemory(start, n), cancellationToken: cancellationToken);
            await group.WriteAsync(QualityFlag, new ArraySegment<string>(rows.QualityFlag!, start, n));
            await group.WriteAsync(StreamName, new ArraySegment<string>(rows.StreamName, start, n));
            await group.WriteAsync(ShardId, new ArraySegment<string>(rows.ShardId, start, n));
            await group.WriteAsync(SequenceNumber, new ArraySegment<string>(rows.SequenceNumber, start, n));
        }

        /// <summary>Closes the object (its footer) and returns its bytes (the stream's own buffer, not a copy).</summary>
        public async Task<ReadOnlyMemory<byte>> FinishAsync()
        {
            await _writer.DisposeAsync();
            return new ReadOnlyMemory<byte>(_output.GetBuffer(), 0, (int)_output.Length);
        }
    }

    /// <summary>How many rows an object holds, from its footer.</summary>
    public static async Task<long> CountAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var input = MemoryStreams.ReadOnly(content);
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        CheckSchema(reader.Schema);
        long rows = 0;
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var group = reader.OpenRowGroupReader(i);
            rows += group.RowCount;
        }
        return rows;
    }

    /// <summary>Every row of an object, a row group at a time.</summary>
    public static async IAsyncEnumerable<FixColumns> ReadAsync(byte[] content, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var input = new MemoryStream(content, writable: false);
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        CheckSchema(reader.Schema);
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var group = reader.OpenRowGroupReader(i);
            var n = checked((int)group.RowCount);
            var rows = new FixColumns(n) { Count = n };
            await group.ReadAsync(TruckId, rows.TruckId.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync<DateTime>(RecordedAt, rows.RecordedAt.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<DateTime>(ReceivedAt, rows.ReceivedAt.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<DateTime>(StoredAt, rows.StoredAt.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(Latitude, rows.Latitude.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(Longitude, rows.Longitude.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(SpeedMps, rows.SpeedMps.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(HeadingDegrees, rows.HeadingDegrees.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync<double>(AccuracyMeters, rows.AccuracyMeters.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync(QualityFlag, rows.QualityFlag.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(StreamName, rows.StreamName.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(ShardId, rows.ShardId.AsMemory()!, cancellationToken: cancellationToken);
            await group.ReadAsync(SequenceNumber, rows.SequenceNumber.AsMemory()!, cancellationToken: cancellationToken);
            yield return rows;
        }
    }

    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static void CheckSchema(ParquetSchema schema)
    {
        var names = schema.GetDataFields().Select(f => f.Name).ToArray();
        var expected = Schema.GetDataFields().Select(f => f.Name).ToArray();
        if (!names.SequenceEqual(expected))
            throw new InvalidDataException($"The archived object's columns ({string.Join(", ", names)}) are not the archive's ({string.Join(", ", expected)}).");
    }
}
