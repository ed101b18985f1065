namespace Sendy.Engine.Search;

/// <summary>A position as indexed in "sendy-positions-YYYY.MM"; <see cref="Location"/> is a geo_point.</summary>
public sealed record PositionDocument(
    string TruckId,
    GeoPoint Location,
    DateTimeOffset DeviceTime,
    DateTimeOffset ReceivedAt,
    double? SpeedKmh = null,
    double? HeadingDeg = null,
    double? AccuracyM = null);

public sealed record GeoPoint(double Lat, double Lon);
