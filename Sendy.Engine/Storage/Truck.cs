namespace Sendy.Engine.Storage;

public sealed class Truck
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Plate { get; set; }
    /// <summary>SHA-256 of the id a native tracker app (OsmAnd protocol, Traccar Client) sends as "id" (see Trackers/TrackerIds).</summary>
    public byte[]? DeviceIdHash { get; set; }
    /// <summary>The device id was typed by an admin rather than issued by Sendy (guessable; the fleet page warns).</summary>
    public bool DeviceIdLegacy { get; set; }
    public DateTimeOffset? DeviceIdSetAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
