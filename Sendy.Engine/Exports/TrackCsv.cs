using System.Globalization;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Exports;

/// <summary>
/// A track as CSV, every fix in device-time order, in the shape of the admin log exports (UTF-8
/// with BOM, RFC 4180, UTC times; see <see cref="DeliveryLogCsv"/>). Flagged fixes are kept and
/// marked in <c>quality_flag</c> (empty for a fix that moved the truck), so the file is the full
/// record; times carry their fraction of a second, which two fixes a second apart need.
/// </summary>
public static class TrackCsv
{
    public static readonly string[] Header =
    [
        "truck_id", "recorded_at_utc", "latitude", "longitude", "speed_mps", "heading_degrees", "accuracy_m", "quality_flag", "received_at_utc",
    ];

    public static Task WriteAsync(Stream output, string truckId, IAsyncEnumerable<TrackPoint> points, ExportProgress? progress,
        CancellationToken cancellationToken)
    {
        var truck = DeliveryLogCsv.Field(truckId);
        // Numbers go in as they are: only text is escaped, and a longitude west of Greenwich is a number, not a formula.
        return DeliveryLogCsv.WriteLinesAsync(output, Header, points, (line, p) => line
            .Append(truck).Append(',').Append(Time(p.RecordedAt)).Append(',')
            .Append(Degrees(p.Latitude)).Append(',').Append(Degrees(p.Longitude)).Append(',')
            .Append(Number(p.SpeedMps)).Append(',').Append(Number(p.HeadingDegrees)).Append(',').Append(Number(p.AccuracyMeters)).Append(',')
            .Append(DeliveryLogCsv.Field(p.QualityFlag)).Append(',').Append(Time(p.ReceivedAt)), progress, cancellationToken);
    }

    /// <summary>"2026-12-05 23:59:59.5": Excel reads it as a date and time; whole seconds lose their fraction.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture);

    /// <summary>Seven decimals, about 1 cm, never in exponent form.</summary>
    public static string Degrees(double value) => value.ToString("0.#######", CultureInfo.InvariantCulture);

    private static string? Number(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture);
}
