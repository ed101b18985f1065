namespace Sendy.Engine.Storage;

/// <summary>
/// A tracker request from a known device that could not be stored (a fix out of range, the device's
/// "invalid" flag, a body that is not the protocol): answered 200 so the app does not resend it
/// forever, and kept here with its bytes and the reason, counted per truck on the fleet page.
/// </summary>
public sealed class TrackerRefusal
{
    public long Id { get; set; }
    public required string TruckId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Reason { get; set; }
    /// <summary>The query string and body as received, the device id in them replaced by <c>[device-id]</c> (it is a secret).</summary>
    public required byte[] Data { get; set; }
}

/// <summary>
/// Requests for device ids no truck has, per hash prefix of the id and caller address: what an admin
/// needs to spot a misconfigured app (or somebody guessing), without keeping the ids themselves.
/// </summary>
public sealed class UnknownTrackerSighting
{
    public required string IdHashPrefix { get; set; }
    public required string Address { get; set; }
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public long Count { get; set; }
}
