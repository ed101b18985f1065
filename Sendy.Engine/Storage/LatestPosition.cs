using NetTopologySuite.Geometries;

namespace Sendy.Engine.Storage;

/// <summary>A truck's newest fix by device time.</summary>
public sealed class LatestPosition
{
    public required string TruckId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required Point Location { get; set; }
    public double? SpeedMps { get; set; }
    public double? HeadingDegrees { get; set; }
    public double? AccuracyMeters { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
}
