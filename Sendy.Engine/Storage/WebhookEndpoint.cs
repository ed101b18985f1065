namespace Sendy.Engine.Storage;

/// <summary>An API client's URL that receives the delivery events it subscribed to (<see cref="Integrations.Webhooks.WebhookEventTypes"/>).</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public Guid ApiClientId { get; set; }
    public required string Url { get; set; }
    public required string[] EventTypes { get; set; }
    public string? Description { get; set; }

    /// <summary>The signing secret (<c>whsec_…</c>), encrypted with Data Protection: it must be recovered to sign, so it cannot be hashed.</summary>
    public required string SecretProtected { get; set; }

    /// <summary>While a rotation's grace period runs, the old secret still signs too (until <see cref="PreviousSecretExpiresAt"/>).</summary>
    public string? PreviousSecretProtected { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public bool Enabled { get; set; } = true;
    public DateTimeOffset? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }

    /// <summary>The first failed attempt since the last success (null: healthy); failing for 3 days disables the endpoint.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>Where a webhook message is: waiting its turn or due (<see cref="WebhookMessage.NextAttemptAt"/>), delivered, or given up.</summary>
public enum WebhookMessageState
{
    Pending,
    Delivered,
    GivenUp,
}

/// <summary>
/// One event for one endpoint, written in the transaction of the change it tells. Per endpoint and
/// delivery, messages go strictly in <see cref="Sequence"/> order: only the oldest pending one has
/// a <see cref="NextAttemptAt"/>; the ones behind it wait (null) until it is delivered or given up.
/// </summary>
public sealed class WebhookMessage
{
    public long Id { get; set; }

    /// <summary>The <c>webhook-id</c> (<c>msg_…</c>): the same on every attempt and redelivery, so receivers dedupe on it.</summary>
    public required string MessageId { get; set; }
    public Guid EndpointId { get; set; }
    public Guid DeliveryId { get; set; }
    public long Sequence { get; set; }
    public required string EventType { get; set; }

    /// <summary>The body exactly as signed and sent.</summary>
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public WebhookMessageState State { get; set; }
    public int Attempts { get; set; }

    /// <summary>When it may be sent next; null while an older message of the same endpoint and delivery is pending.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When its turn came (written, or the one before it settled): its retries run for <see cref="Integrations.Webhooks.WebhookOptions.GiveUpAfter"/> from here.</summary>
    public DateTimeOffset? DueSince { get; set; }

    /// <summary>A dispatcher is sending it until then (a node that died mid-send leaves it to the others after this).</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One try to deliver a <see cref="WebhookMessage"/>: what the admin page shows.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long MessageId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }

    /// <summary>The receiver's status code; null when no answer came (refused, timeout, TLS).</summary>
    public int? StatusCode { get; set; }
    public int LatencyMs { get; set; }

    /// <summary>Why it failed (null on success), with the start of the receiver's answer for a non-2xx status.</summary>
    public string? Error { get; set; }
}
