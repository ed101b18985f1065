namespace Sendy.Engine.Storage;

public sealed class Truck
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Plate { get; set; }
    /// <summary>The identifier a native tracker app (OsmAnd protocol, Traccar Client) sends as "id".</summary>
    public string? DeviceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
