namespace Sendy.Engine.Storage;

/// <summary>A record the consumer could not use, kept with the reason.</summary>
public sealed class DeadLetter
{
    public long Id { get; set; }
    public required string StreamName { get; set; }
    public required string ShardId { get; set; }
    public required string SequenceNumber { get; set; }
    public string? PartitionKey { get; set; }
    public required byte[] Data { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset FailedAt { get; set; }
}
