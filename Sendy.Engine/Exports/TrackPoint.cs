namespace Sendy.Engine.Exports;

/// <summary>One stored fix at full detail, as the track exports write it.</summary>
public readonly record struct TrackPoint(
    DateTimeOffset RecordedAt,
    double Latitude,
    double Longitude,
    double? SpeedMps,
    double? HeadingDegrees,
    double? AccuracyMeters,
    string? QualityFlag,
    DateTimeOffset ReceivedAt);

/// <summary>A truck's fixes from <see cref="From"/> (included) to <see cref="To"/> (excluded).</summary>
public sealed record TrackSpan(string TruckId, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// A delivery's track: <see cref="Exists"/> false for an unknown delivery; <see cref="Track"/> null
/// when it never had a truck, so there is nothing to export.
/// </summary>
public sealed record DeliveryTrackSpan(bool Exists, TrackSpan? Track)
{
    public static readonly DeliveryTrackSpan Missing = new(false, null);
}
