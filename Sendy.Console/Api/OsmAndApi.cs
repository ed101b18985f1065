using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sendy.Engine.Ingest;
using Sendy.Engine.Streams;

namespace Sendy.Console.Api;

/// <summary>
/// The OsmAnd protocol, as Traccar Client and similar tracker apps speak it: <c>GET|POST /osmand</c>
/// with query or form parameters (id, lat, lon, timestamp in seconds, milliseconds or ISO 8601,
/// speed in knots, bearing, altitude, accuracy, batt), or the JSON body variant
/// <c>{"location":{"timestamp","coords":{...},"battery":{...}},"device_id"}</c> (speed in m/s).
/// The device id must be registered to a truck; fixes then take the same path as the ingest API.
/// </summary>
public static class OsmAndApi
{
    private const double MetersPerSecondPerKnot = 0.514444;

    public static WebApplication MapOsmAndApi(this WebApplication app)
    {
        app.MapMethods("/osmand", ["GET", "POST"], HandleAsync).WithName("OsmAnd");
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, DeviceDirectory devices, PositionIngestor ingestor,
        IOptions<IngestOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        OsmAndFix? fix;
        try
        {
            fix = await ReadAsync(http.Request, options.Value.MaxBodyBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or InvalidDataException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["not an OsmAnd request"] });
        }
        if (fix is null)
            return Results.Problem(statusCode: 413, title: "Request too large");
        if (string.IsNullOrWhiteSpace(fix.DeviceId))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["the device id is required"] });
        var truckId = await devices.FindTruckAsync(fix.DeviceId, cancellationToken);
        if (truckId is null)
            return Results.Problem(statusCode: 404, title: "Unknown device",
                detail: "Register this device id on a truck first (admin: PUT /api/v1/trucks/{truckId}/device).");

        var dto = new FixDto(null, fix.Lat, fix.Lon, fix.Timestamp, fix.SpeedMps, fix.Heading, fix.Accuracy);
        var errors = FixValidator.Validate([dto], truckId, time.GetUtcNow(), options.Value)
            .ToDictionary(kv => kv.Key.Replace("fixes[0].", "", StringComparison.Ordinal), kv => kv.Value);
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The fix is invalid");
        try
        {
            await ingestor.IngestAsync(truckId, [dto], cancellationToken);
            return Results.Ok(); // Traccar Client treats any 200 as delivered
        }
        catch (StreamException ex) when (ex is not StreamValidationException)
        {
            http.Response.Headers.RetryAfter = ((int)options.Value.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 503, title: "Position stream unavailable");
        }
    }

    internal sealed record OsmAndFix(string? DeviceId, double? Lat, double? Lon, DateTimeOffset? Timestamp, double? SpeedMps,
        double? Heading, double? Accuracy);

    /// <summary>Reads query, form or JSON parameters; null when the body is too large.</summary>
    internal static async Task<OsmAndFix?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var values = request.Query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (HttpMethods.IsPost(request.Method) && request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = await RequestBody.ReadLimitedAsync(request, maxBytes, cancellationToken);
            return body is null ? null : ReadJson(body);
        }
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            if (request.ContentLength > maxBytes) return null;
            foreach (var (k, v) in await request.ReadFormAsync(cancellationToken)) values[k] = v.ToString();
        }
        values.TryGetValue("id", out var id);
        if (id is null) values.TryGetValue("deviceid", out id);
        return new OsmAndFix(id, Number(values, "lat"), Number(values, "lon"), Timestamp(values.GetValueOrDefault("timestamp")),
            Number(values, "speed") * MetersPerSecondPerKnot, Number(values, "bearing") ?? Number(values, "heading"), Number(values, "accuracy"));
    }

    private static OsmAndFix ReadJson(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var location = root.GetProperty("location");
        var coords = location.GetProperty("coords");
        return new OsmAndFix(
            root.TryGetProperty("device_id", out var device) ? device.ToString() : null,
            Double(coords, "latitude"), Double(coords, "longitude"),
            location.TryGetProperty("timestamp", out var ts) ? Timestamp(ts.ToString()) : null,
            Double(coords, "speed"), Double(coords, "heading"), Double(coords, "accuracy"));
    }

    private static double? Double(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : e.TryGetProperty(name, out v) && v.ValueKind != JsonValueKind.Null ? throw new FormatException(name) : null;

    private static double? Number(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var s) && s.Length > 0
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN
            : null;

    /// <summary>Seconds or milliseconds since the epoch, or ISO 8601.</summary>
    internal static DateTimeOffset? Timestamp(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        // Anything outside what a DateTimeOffset can hold (Infinity, 20-digit numbers) is just invalid: null, so a 400.
        const double maxMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            var ms = n > 100_000_000_000 ? n : n * 1000.0;
            return ms is >= 0 and <= maxMs ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
            return double.IsFinite(f) && f * 1000 is >= 0 and <= maxMs ? DateTimeOffset.FromUnixTimeMilliseconds((long)(f * 1000)) : null;
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }
}
