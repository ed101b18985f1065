using System.Buffers.Binary;
using System.Text;
using Sendy.Engine.Consumers;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// Reads the archive's columns (in <see cref="PositionArchiver"/>'s order) from the bytes of a
/// <c>COPY … TO STDOUT (FORMAT BINARY)</c> (Npgsql's raw binary copy stream) into
/// <see cref="FixColumns"/>. Npgsql's typed exporter costs a dozen calls, checks and a
/// <c>byte[]</c> per row: on a bench day of 833,000 rows it used twice the client CPU of the bare
/// transfer, the largest share of the archive's time. The format is small and fixed (PostgreSQL's
/// "Binary Format" of COPY: a header, then per row a 16-bit field count and per field a 32-bit
/// length and the value's binary send form, big-endian), so it is read here directly; anything that
/// does not fit it is an <see cref="InvalidDataException"/>. Repeated text (trucks, stream, shard,
/// flag) is decoded once and shared.
/// </summary>
internal sealed class PositionCopyReader(Stream copy)
{
    private const int FieldCount = 12;
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', 0x0a, 0xff, 0x0d, 0x0a, 0x00];
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long MinMicros = (DateTime.MinValue.Ticks - PostgresEpochTicks) / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - PostgresEpochTicks) / 10;

    private readonly TextPool _text = new(16_384);
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _headerRead;
    private bool _ended;

    /// <summary>Reads the next row into <paramref name="into"/> at <see cref="FixColumns.Count"/>; false after the last.</summary>
    public bool ReadRow(FixColumns into)
    {
        if (_ended) return false;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            int used;
            if (!_headerRead)
            {
                used = TryReadHeader(available);
                if (used > 0)
                {
                    _headerRead = true;
                    _start += used;
                    continue;
                }
            }
            else
            {
                used = TryReadRow(available, into);
                if (used > 0)
                {
                    _start += used;
                    return true;
                }
                if (used < 0)
                {
                    _ended = true;
                    _start += -used;
                    if (_start != _end || copy.Read(_buffer, 0, _buffer.Length) != 0)
                        throw new InvalidDataException("The COPY of positions goes on after its trailer.");
                    return false;
                }
            }
            if (!Fill()) throw new InvalidDataException("The COPY of positions ended in the middle of a row (no trailer).");
        }
    }

    /// <summary>Reads more of the stream (at least one byte), keeping what is not read yet; false at its end.</summary>
    private bool Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a row longer than the buffer
        var before = _end;
        // The stream hands over about one row (one CopyData message) per read: read on until a
        // good part of the buffer is full, so rows are parsed in runs rather than one read each.
        while (_end < _buffer.Length - 4096 || _end == before)
        {
            var n = copy.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) break;
            _end += n;
        }
        return _end > before;
    }

    private static int TryReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length < Signature.Length + 8) return 0;
        if (!data[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidDataException("The COPY of positions does not start with PostgreSQL's binary signature.");
        var extension = BinaryPrimitives.ReadInt32BigEndian(data[(Signature.Length + 4)..]);
        if (extension < 0) throw new InvalidDataException("The COPY of positions has a negative header extension length.");
        var length = Signature.Length + 8 + extension;
        return data.Length < length ? 0 : length;
    }

    /// <summary>The bytes the row took (its values stored at <c>into.Count</c>, then counted); 0 when the row is not all here yet; minus the trailer's length at the end.</summary>
    private int TryReadRow(ReadOnlySpan<byte> data, FixColumns into)
    {
        if (data.Length < 2) return 0;
        var fields = BinaryPrimitives.ReadInt16BigEndian(data);
        if (fields == -1) return -2;
        if (fields != FieldCount)
            throw new InvalidDataException($"A COPY row of positions has {fields} fields, not {FieldCount}.");
        var i = into.Count;
        var at = 2;
        ReadOnlySpan<byte> value;
        if (!Required(data, ref at, out value, "truck_id")) return 0;
        into.TruckId[i] = _text.Get(value);
        if (!Required(data, ref at, out value, "recorded_at")) return 0;
        into.RecordedAt[i] = Timestamp(value);
        if (!Required(data, ref at, out value, "received_at")) return 0;
        into.ReceivedAt[i] = Timestamp(value);
        if (!Required(data, ref at, out value, "stored_at")) return 0;
        into.StoredAt[i] = Timestamp(value);
        if (!Required(data, ref at, out value, "location")) return 0;
        (into.Latitude[i], into.Longitude[i]) = PositionRows.ReadEwkbPoint(value);
        if (!Next(data, ref at, out value, out var isNull)) return 0;
        into.SpeedMps[i] = isNull ? null : Float8(value);
        if (!Next(data, ref at, out value, out isNull)) return 0;
        into.HeadingDegrees[i] = isNull ? null : Float8(value);
        if (!Next(data, ref at, out value, out isNull)) return 0;
        into.AccuracyMeters[i] = isNull ? null : Float8(value);
        if (!Next(data, ref at, out value, out isNull)) return 0;
        into.QualityFlag[i] = isNull ? null : _text.Get(value);
        if (!Required(data, ref at, out value, "stream_name")) return 0;
        into.StreamName[i] = _text.Get(value);
        if (!Required(data, ref at, out value, "shard_id")) return 0;
        into.ShardId[i] = _text.Get(value);
        if (!Required(data, ref at, out value, "sequence_number")) return 0;
        into.SequenceNumber[i] = Encoding.UTF8.GetString(value); // unique per row: not pooled

        into.Count = i + 1;
        return at;
    }

    /// <summary>As <see cref="Next"/>, for a column that is NOT NULL in <c>positions</c>.</summary>
    private static bool Required(ReadOnlySpan<byte> data, scoped ref int at, out ReadOnlySpan<byte> value, string column)
    {
        if (!Next(data, ref at, out value, out var isNull)) return false;
        return isNull ? throw new InvalidDataException($"positions.{column} is NULL in the COPY.") : true;
    }

    /// <summary>The next field's value (empty and <paramref name="isNull"/> for NULL); false when it is not all in <paramref name="data"/> yet.</summary>
    private static bool Next(ReadOnlySpan<byte> data, scoped ref int at, out ReadOnlySpan<byte> value, out bool isNull)
    {
        value = default;
        isNull = false;
        if (data.Length - at < 4) return false;
        var length = BinaryPrimitives.ReadInt32BigEndian(data[at..]);
        if (length == -1)
        {
            isNull = true;
            at += 4;
            return true;
        }
        if (length < 0) throw new InvalidDataException($"A COPY field of positions has length {length}.");
        if (data.Length - at - 4 < length) return false;
        value = data.Slice(at + 4, length);
        at += 4 + length;
        return true;
    }

    private static double Float8(ReadOnlySpan<byte> value) =>
        value.Length == 8 ? BinaryPrimitives.ReadDoubleBigEndian(value)
            : throw new InvalidDataException($"A float8 in the COPY of positions has {value.Length} bytes.");

    /// <summary>A timestamptz (microseconds since 2000-01-01 UTC) as a UTC <see cref="DateTime"/>; infinity as Npgsql reads it (the greatest or least DateTime).</summary>
    private static DateTime Timestamp(ReadOnlySpan<byte> value)
    {
        if (value.Length != 8) throw new InvalidDataException($"A timestamptz in the COPY of positions has {value.Length} bytes.");
        var micros = BinaryPrimitives.ReadInt64BigEndian(value);
        if (micros == long.MaxValue) return DateTime.MaxValue;
        if (micros == long.MinValue) return DateTime.MinValue;
        if (micros < MinMicros || micros > MaxMicros)
            throw new InvalidDataException($"A timestamptz in the COPY of positions ({micros} µs after 2000) is outside .NET's dates.");
        return new DateTime(PostgresEpochTicks + micros * 10, DateTimeKind.Utc);
    }

    /// <summary>Text decoded once per distinct value (up to a bound), then shared: a day names the same trucks and shards a million times.</summary>
    private sealed class TextPool(int bound)
    {
        private readonly Dictionary<string, string> _known = new(StringComparer.Ordinal);

        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > 128) return Encoding.UTF8.GetString(utf8);
            Span<char> chars = stackalloc char[128];
            var n = Encoding.UTF8.GetChars(utf8, chars);
            var lookup = _known.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars[..n], out var known)) return known;
            var text = new string(chars[..n]);
            if (_known.Count < bound) _known.Add(text, text);
            return text;
        }
    }
}
