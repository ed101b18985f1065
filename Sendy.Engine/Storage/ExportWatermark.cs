namespace Sendy.Engine.Storage;

/// <summary>How far a recurring export has read a table (keyset on stored_at + the position's identity).</summary>
public sealed class ExportWatermark
{
    public required string Name { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public required string StreamName { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
