using System.Text.Json;
using System.Text.Json.Serialization;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>A webhook body: the Standard Webhooks envelope around one delivery event.</summary>
public sealed record WebhookPayload(string Type, DateTimeOffset Timestamp, WebhookDeliveryData Data);

/// <summary>The delivery as the event left it; <see cref="Sequence"/> counts the delivery's events (a gap: one of a type not subscribed to).</summary>
public sealed record WebhookDeliveryData(
    Guid DeliveryId,
    long Sequence,
    string? ExternalReference,
    Guid ShipperId,
    DeliveryStatus Status,
    DateTimeOffset OccurredAt)
{
    public DeliveryStatus? PreviousStatus { get; init; }
    public StatusActorKind? Actor { get; init; }
    public string? Reason { get; init; }
    public string? Note { get; init; }
    public string? TruckId { get; init; }
    public Guid? DriverId { get; init; }
    public DateTimeOffset? PromisedFrom { get; init; }
    public DateTimeOffset? PromisedTo { get; init; }
    public WebhookEta? Eta { get; init; }

    /// <summary>On <c>delivery.eta_changed</c>: the estimate announced before (or the promised end).</summary>
    public DateTimeOffset? PreviousEta { get; init; }

    /// <summary>On <c>delivery.created</c>: the customer's tracking link, for the booking system to pass on.</summary>
    public Uri? TrackingLink { get; init; }
}

public sealed record WebhookEta(DateTimeOffset? At, EtaKind? Kind);

/// <summary>One event of a delivery, before it has a sequence number: what <see cref="WebhookOutbox"/> fans out.</summary>
public sealed record DeliveryEvent(string Type, DateTimeOffset OccurredAt)
{
    public StatusEventView? StatusEvent { get; init; }
    public DateTimeOffset? PreviousEta { get; init; }
    public Uri? TrackingLink { get; init; }
}

public static class WebhookPayloads
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static WebhookPayload For(Delivery delivery, DeliveryEvent e, long sequence) =>
        new(e.Type, e.OccurredAt, new WebhookDeliveryData(delivery.Id, sequence, delivery.ExternalReference, delivery.ShipperId, delivery.Status, e.OccurredAt)
        {
            PreviousStatus = e.StatusEvent?.From is { } from && from != e.StatusEvent.To ? from : null,
            Actor = e.StatusEvent?.ActorKind,
            Reason = e.StatusEvent?.Reason,
            Note = e.StatusEvent?.Note,
            TruckId = delivery.TruckId,
            DriverId = delivery.DriverId,
            PromisedFrom = delivery.PromisedFrom,
            PromisedTo = delivery.PromisedTo,
            Eta = delivery.EtaKind is null && delivery.EstimatedArrivalAt is null ? null : new WebhookEta(delivery.EstimatedArrivalAt, delivery.EtaKind),
            PreviousEta = e.PreviousEta,
            TrackingLink = e.TrackingLink,
        });

    public static string Serialize(WebhookPayload payload) => JsonSerializer.Serialize(payload, Json);

    public static WebhookPayload? Parse(string body) => JsonSerializer.Deserialize<WebhookPayload>(body, Json);

    /// <summary>The events a status-log entry makes: booked → created; a reassignment → assigned; a move → status changed (plus assigned or delivered).</summary>
    public static IReadOnlyList<DeliveryEvent> Of(StatusEventView e)
    {
        if (e.From is null && e.To == DeliveryStatus.Booked)
            return [new DeliveryEvent(WebhookEventTypes.Created, e.OccurredAt) { StatusEvent = e }];
        if (e.IsReassignment)
            return [new DeliveryEvent(WebhookEventTypes.Assigned, e.OccurredAt) { StatusEvent = e }];
        var changed = new DeliveryEvent(WebhookEventTypes.StatusChanged, e.OccurredAt) { StatusEvent = e };
        return e.To switch
        {
            DeliveryStatus.DriverAssigned => [new DeliveryEvent(WebhookEventTypes.Assigned, e.OccurredAt) { StatusEvent = e }, changed],
            DeliveryStatus.Delivered => [changed, new DeliveryEvent(WebhookEventTypes.Delivered, e.OccurredAt) { StatusEvent = e }],
            _ => [changed],
        };
    }
}
