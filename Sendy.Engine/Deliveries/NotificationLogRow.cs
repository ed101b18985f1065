namespace Sendy.Engine.Deliveries;

/// <summary>One outbox row and, once it went out, what the provider answered. Pending until <see cref="SentAt"/> is set.</summary>
public sealed record NotificationLogRow(
    long OutboxId,
    Guid StatusEventId,
    DeliveryStatus ForStatus,
    string Channel,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset? SentAt,
    string? Result);
