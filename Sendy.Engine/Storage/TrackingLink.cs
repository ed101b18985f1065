namespace Sendy.Engine.Storage;

/// <summary>
/// One tracking link a delivery has had. The delivery's current link is also on the delivery
/// (<see cref="Delivery.TrackingTokenHash"/>, for notifications); PostgreSQL keeps this table in
/// step with it (trigger <c>tracking_links_follow</c>: a new delivery or a new token adds a row,
/// and a replaced token's row is revoked), so every writer of deliveries is covered.
/// </summary>
public sealed class TrackingLink
{
    public Guid Id { get; set; }
    public Guid DeliveryId { get; set; }

    /// <summary>SHA-256 of the token, as on the delivery.</summary>
    public required byte[] TokenHash { get; set; }

    /// <summary>The token encrypted with Data Protection, so staff can copy a link again.</summary>
    public string? TokenProtected { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>
    /// This link's own expiry, set by extending it: it replaces the default (the delivery's close
    /// plus <see cref="Deliveries.DeliveryOptions.TrackingLinkLifetimeAfterClose"/>) and may go past it.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Revoked links answer "no longer valid" (410) whatever their expiry: revoking always wins.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}
