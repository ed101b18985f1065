namespace Sendy.Engine.Deliveries;

/// <summary>
/// The stored positions of the delivery's truck between <see cref="From"/> and <see cref="To"/>,
/// oldest first, simplified to at most the requested count (stops kept; see
/// <see cref="Tracking.SimplifiedTrail"/>): <see cref="StoredCount"/> says how many there were.
/// </summary>
public sealed record DeliveryRoute(DateTimeOffset From, DateTimeOffset To, bool FromAssignment, IReadOnlyList<RoutePoint> Points, int StoredCount)
{
    public bool Downsampled => Points.Count < StoredCount;
}

/// <summary>One stored position of a <see cref="DeliveryRoute"/>.</summary>
public readonly record struct RoutePoint(double Latitude, double Longitude, DateTimeOffset RecordedAt, double? SpeedMps, double? HeadingDegrees);
