namespace Sendy.Engine.Storage;

/// <summary>
/// A booking made with an <c>Idempotency-Key</c>: the same key from the same caller with the same
/// request is the same delivery; with another request it is refused. Kept at least
/// <see cref="Deliveries.DeliveryOptions.IdempotencyKeysKeptFor"/>.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Whose key: "client:{id}" for an API client, "staff:{name}" for a signed-in member.</summary>
    public required string Owner { get; set; }

    public required string Key { get; set; }

    /// <summary>SHA-256 of the request as parsed (whitespace and property order do not matter).</summary>
    public required byte[] RequestHash { get; set; }

    public Guid DeliveryId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
