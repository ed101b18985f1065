namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// The one catalogue of webhook events; later work adds to it. A payload is
/// <c>{"type", "timestamp", "data"}</c> (the Standard Webhooks shape), and <c>data</c> always has
/// the delivery's id, external reference, status and <c>sequence</c> (see <see cref="WebhookPayloads"/>).
/// </summary>
public static class WebhookEventTypes
{
    /// <summary>A delivery was booked.</summary>
    public const string Created = "delivery.created";

    /// <summary>A driver (and truck) was assigned, first or again.</summary>
    public const string Assigned = "delivery.assigned";

    /// <summary>The status moved (every move after booking, including the final ones).</summary>
    public const string StatusChanged = "delivery.status_changed";

    /// <summary>The server's arrival estimate moved by <see cref="EtaAnnounceThreshold"/> or more since it was last announced.</summary>
    public const string EtaChanged = "delivery.eta_changed";

    /// <summary>The goods were handed over (also told as a status change).</summary>
    public const string Delivered = "delivery.delivered";

    public static readonly IReadOnlyList<string> All = [Created, Assigned, StatusChanged, EtaChanged, Delivered];

    public static readonly TimeSpan EtaAnnounceThreshold = TimeSpan.FromMinutes(5);

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
