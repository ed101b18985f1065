namespace Sendy.Engine.Storage;

public sealed class Driver
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string TruckId { get; set; }
    /// <summary>SHA-256 of the driver token; the token itself is never stored.</summary>
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
