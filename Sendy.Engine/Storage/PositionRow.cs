using NetTopologySuite.Geometries;

namespace Sendy.Engine.Storage;

/// <summary>One stored fix. Its identity is the truck and its device time; where it sat on the stream is kept beside it.</summary>
public sealed class PositionRow
{
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public required string StreamName { get; set; }
    public required string TruckId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public required Point Location { get; set; }
    public double? SpeedMps { get; set; }
    public double? HeadingDegrees { get; set; }
    public double? AccuracyMeters { get; set; }

    /// <summary>Why the fix is not trusted (an impossible jump, see Quality/FixJudge), or null: it moved the truck.</summary>
    public string? QualityFlag { get; set; }
}
