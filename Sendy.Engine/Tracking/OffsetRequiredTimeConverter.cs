using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sendy.Engine.Tracking;

/// <summary>
/// Reads an ISO 8601 time that must carry its UTC offset ("Z" or "+09:00"), as the record schema
/// and the ingest API require. System.Text.Json's own converter reads an offset-less time in the
/// server's local zone, so a node set to Asia/Seoul would store a fix 9 hours off from one set to
/// UTC; this one refuses such a time instead, with <see cref="MissingUtcOffsetException"/>.
/// Formats and all other errors are the built-in converter's.
/// </summary>
public sealed class OffsetRequiredTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The longest text System.Text.Json parses as a time is 42 characters; leave room.</summary>
    private const int MaxChars = 64;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDateTimeOffset();
        Span<char> text = stackalloc char[MaxChars];
        var length = reader.CopyString(text);
        if (!HasOffset(text[..length])) throw new MissingUtcOffsetException();
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    /// <summary>True when the time part ends in "Z" or a "+hh:mm" / "-hh:mm" offset; a date alone has none.</summary>
    public static bool HasOffset(ReadOnlySpan<char> iso8601)
    {
        var t = iso8601.IndexOfAny('T', 't');
        return t >= 0 && iso8601[(t + 1)..].IndexOfAny("Zz+-") >= 0;
    }
}

/// <summary>A time without its UTC offset: which instant it means depends on the reader's zone, so it is refused.</summary>
public sealed class MissingUtcOffsetException() : JsonException(Requirement)
{
    public const string Requirement = "must be ISO 8601 with a UTC offset (Z or ±hh:mm)";
}
