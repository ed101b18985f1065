namespace Sendy.Engine.Tracking;

/// <summary>A truck's position fix as the engine stores and pushes it.</summary>
public sealed record TruckPosition(
    string TruckId,
    double Latitude,
    double Longitude,
    DateTimeOffset RecordedAt,
    DateTimeOffset ReceivedAt,
    double? SpeedMps = null,
    double? HeadingDegrees = null,
    double? AccuracyMeters = null);
