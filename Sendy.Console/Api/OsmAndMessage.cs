using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Sendy.Engine.Ingest;

namespace Sendy.Console.Api;

/// <summary>One fix as a tracker app sent it, or why it cannot be used (<see cref="Problem"/>).</summary>
internal sealed record OsmAndFix(FixDto Fix, string? Problem);

/// <summary>
/// A request of the OsmAnd protocol, read the way Traccar's decoder reads it: parameters from the query
/// and from a form body (whatever its content type), or Traccar Client's JSON body; the device id as
/// <c>id</c>, <c>deviceid</c> or JSON <c>device_id</c>. Times in seconds, milliseconds or ISO 8601 (an
/// ISO time without an offset, or "yyyy-MM-dd HH:mm:ss", is UTC, as Traccar reads it; none at all is the
/// time it was received); <c>lat</c>/<c>lon</c> or <c>location=lat,lon</c>; speed in knots (JSON: m/s);
/// a negative speed, heading or accuracy means unknown (a phone standing still reports heading -1).
/// <c>hdop</c>, <c>altitude</c>, <c>batt</c>, <c>battery.level</c>, <c>is_moving</c> and any other field
/// are accepted and not stored. Never throws: what cannot be used is a problem with its reason.
/// </summary>
internal sealed record OsmAndMessage(string? DeviceId, IReadOnlyList<OsmAndFix> Fixes, string? Problem)
{
    private const double MetersPerSecondPerKnot = 0.514444;
    private const int MaxLocationsPerBody = 100;

    public static OsmAndMessage Parse(IQueryCollection query, string? contentType, byte[] body, DateTimeOffset receivedAt)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in query) values[k] = v.ToString();
        if (body.Length > 0 && (contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || LooksLikeJson(body)))
            return ParseJson(body, values, receivedAt);
        if (body.Length > 0)
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(body);
            }
            catch (DecoderFallbackException)
            {
                return new OsmAndMessage(DeviceIdOf(values), [], "the body is neither UTF-8 form parameters nor JSON");
            }
            foreach (var (k, v) in QueryHelpers.ParseQuery(text)) values.TryAdd(k, v.ToString());
        }
        var deviceId = DeviceIdOf(values);
        if (!values.ContainsKey("lat") && !values.ContainsKey("lon") && !values.ContainsKey("location"))
            return new OsmAndMessage(deviceId, [], "no location (lat and lon, or location)");
        return new OsmAndMessage(deviceId, [FromParameters(values, receivedAt)], null);
    }

    private static string? DeviceIdOf(Dictionary<string, string> values) =>
        values.TryGetValue("id", out var id) && id.Length > 0 ? id
        : values.TryGetValue("deviceid", out id) && id.Length > 0 ? id
        : null;

    private static bool LooksLikeJson(byte[] body)
    {
        foreach (var b in body)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }

    private static OsmAndFix FromParameters(Dictionary<string, string> values, DateTimeOffset receivedAt)
    {
        var problems = new List<string>();
        double? lat = Number(values, "lat", problems), lon = Number(values, "lon", problems);
        if (values.TryGetValue("location", out var location) && lat is null && lon is null)
        {
            var parts = location.Split(',');
            if (parts.Length >= 2 && Parse(parts[0]) is { } a && Parse(parts[1]) is { } b) (lat, lon) = (a, b);
            else problems.Add("location is not 'lat,lon'");
        }
        var time = Time(values.GetValueOrDefault("timestamp"), receivedAt, problems);
        var speed = Unknown(Number(values, "speed", problems)) * MetersPerSecondPerKnot;
        var heading = Unknown(Number(values, "bearing", problems) ?? Number(values, "heading", problems));
        var accuracy = Unknown(Number(values, "accuracy", problems));
        if (values.TryGetValue("valid", out var valid) && valid is "false" or "0")
            problems.Add("the device marked the fix invalid (valid=" + valid + ")");
        return new OsmAndFix(new FixDto(null, lat, lon, time, speed, heading, accuracy), problems.Count > 0 ? string.Join("; ", problems) : null);
    }

    private static OsmAndMessage ParseJson(byte[] body, Dictionary<string, string> query, DateTimeOffset receivedAt)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new OsmAndMessage(DeviceIdOf(query), [], "the JSON body is not an object");
            var deviceId = root.TryGetProperty("device_id", out var d) && d.ValueKind is JsonValueKind.String or JsonValueKind.Number && d.ToString() is { Length: > 0 } s
                ? s
                : DeviceIdOf(query);
            if (!root.TryGetProperty("location", out var location))
                return new OsmAndMessage(deviceId, [], "no location in the JSON body");
            var locations = location.ValueKind == JsonValueKind.Array ? location.EnumerateArray().Take(MaxLocationsPerBody).ToList() : [location];
            var fixes = locations.Select(l => FromJson(l, receivedAt)).ToList();
            return fixes.Count == 0 ? new OsmAndMessage(deviceId, [], "an empty location list") : new OsmAndMessage(deviceId, fixes, null);
        }
        catch (JsonException ex)
        {
            return new OsmAndMessage(DeviceIdBefore(body) ?? DeviceIdOf(query), [], "the body is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>A top-level <c>device_id</c> read before the point where a broken JSON body stops making sense (so its owner sees the refusal).</summary>
    private static string? DeviceIdBefore(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1 || !reader.ValueTextEquals("device_id"u8)) continue;
                if (!reader.Read()) return null;
                return reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static OsmAndFix FromJson(JsonElement location, DateTimeOffset receivedAt)
    {
        var problems = new List<string>();
        if (location.ValueKind != JsonValueKind.Object) return new OsmAndFix(new FixDto(null, null, null, null, null, null, null), "location is not an object");
        var coords = location.TryGetProperty("coords", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        if (coords.ValueKind != JsonValueKind.Object) problems.Add("location.coords is missing");
        double? Field(string name) => coords.ValueKind == JsonValueKind.Object ? JsonNumber(coords, name, "coords." + name, problems) : null;
        var lat = Field("latitude");
        var lon = Field("longitude");
        var speed = Unknown(Field("speed"));
        var heading = Unknown(Field("heading"));
        var accuracy = Unknown(Field("accuracy"));
        var timestamp = location.TryGetProperty("timestamp", out var ts) && ts.ValueKind is JsonValueKind.String or JsonValueKind.Number ? ts.ToString() : null;
        var time = Time(timestamp, receivedAt, problems);
        return new OsmAndFix(new FixDto(null, lat, lon, time, speed, heading, accuracy), problems.Count > 0 ? string.Join("; ", problems) : null);
    }

    private static double? JsonNumber(JsonElement e, string name, string path, List<string> problems)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && Parse(v.GetString()!) is { } fromString) return fromString;
        problems.Add(path + " is not a number");
        return null;
    }

    /// <summary>Negative speed, heading or accuracy: the device does not know it.</summary>
    private static double? Unknown(double? value) => value < 0 ? null : value;

    private static double? Number(Dictionary<string, string> values, string name, List<string> problems)
    {
        if (!values.TryGetValue(name, out var s) || s.Length == 0) return null;
        if (Parse(s) is { } d) return d;
        problems.Add(name + " is not a number");
        return null;
    }

    private static double? Parse(string s) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    private static DateTimeOffset? Time(string? s, DateTimeOffset receivedAt, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(s)) return receivedAt; // Traccar uses the time it was received
        if (Timestamp(s) is { } t) return t;
        problems.Add("timestamp is not seconds, milliseconds or an ISO 8601 time");
        return null;
    }

    /// <summary>Seconds or milliseconds since the epoch, ISO 8601, or "yyyy-MM-dd HH:mm:ss"; without an offset, UTC.</summary>
    internal static DateTimeOffset? Timestamp(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        s = s.Trim();
        // Anything outside what a DateTimeOffset can hold (Infinity, 20-digit numbers) is just invalid.
        const double maxMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            var ms = n > int.MaxValue ? n : n * 1000.0; // Traccar's rule: below 2^31 it is seconds
            return ms is >= 0 and <= maxMs ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
            return double.IsFinite(f) && f * 1000 is >= 0 and <= maxMs ? DateTimeOffset.FromUnixTimeMilliseconds((long)(f * 1000)) : null;
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;
    }
}
