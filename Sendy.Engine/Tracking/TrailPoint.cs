namespace Sendy.Engine.Tracking;

/// <summary>One point of a truck's trail: a stored fix and its device time.</summary>
public readonly record struct TrailPoint(double Latitude, double Longitude, DateTimeOffset RecordedAt);
