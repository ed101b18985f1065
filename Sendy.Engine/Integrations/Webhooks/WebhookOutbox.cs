using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// Writes a delivery's events for every endpoint subscribed to them, in the transaction of the
/// change itself (a change and its webhooks commit together or not at all; the sending is
/// <see cref="WebhookDispatcher"/>'s). The caller holds the delivery's row lock, so the delivery's
/// <see cref="Delivery.EventSequence"/> and its queue per endpoint (only the oldest pending message
/// is due) are decided one change at a time.
/// </summary>
public sealed class WebhookOutbox(TrackingLinks links, TimeProvider time)
{
    /// <summary>NOTIFY channel that wakes the dispatchers when messages were written.</summary>
    public const string WakeChannel = "sendy_webhooks";

    /// <summary>Numbers the events and adds their messages to <paramref name="db"/>; true when any was added (the caller saves, then calls <see cref="WakeAsync"/>).</summary>
    public async Task<bool> AddAsync(SendyDbContext db, Delivery delivery, IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return false;
        var types = events.Select(e => e.Type).Distinct().ToArray();
        var deliveryId = delivery.Id;
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.Enabled && e.EventTypes.Any(t => types.Contains(t))
                && db.ApiClients.Any(c => c.Id == e.ApiClientId && c.RevokedAt == null))
            .Select(e => new
            {
                e.Id,
                e.EventTypes,
                Queued = db.WebhookMessages.Any(m => m.EndpointId == e.Id && m.DeliveryId == deliveryId && m.State == WebhookMessageState.Pending),
            })
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow();
        var queued = endpoints.ToDictionary(e => e.Id, e => e.Queued);
        var added = false;
        foreach (var e in events)
        {
            var sequence = ++delivery.EventSequence;
            string? body = null;
            foreach (var endpoint in endpoints.Where(x => x.EventTypes.Contains(e.Type)))
            {
                // The customer's link is decrypted only when a created event is actually sent.
                body ??= WebhookPayloads.Serialize(WebhookPayloads.For(delivery,
                    e.Type == WebhookEventTypes.Created ? e with { TrackingLink = links.LinkOrNull(delivery.Id, delivery.TrackingTokenProtected) } : e, sequence));
                db.WebhookMessages.Add(new WebhookMessage
                {
                    MessageId = NewMessageId(now), EndpointId = endpoint.Id, DeliveryId = delivery.Id, Sequence = sequence, EventType = e.Type,
                    Payload = body, CreatedAt = now, State = WebhookMessageState.Pending,
                    NextAttemptAt = queued[endpoint.Id] ? null : now, // behind an older pending message it waits its turn
                    DueSince = queued[endpoint.Id] ? null : now,
                });
                queued[endpoint.Id] = true;
                added = true;
            }
        }
        return added;
    }

    /// <summary>Queues the NOTIFY that wakes the dispatchers, in the caller's transaction (PostgreSQL delivers it on commit).</summary>
    public static async Task WakeAsync(SendyDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({WakeChannel}, '')", cancellationToken);

    /// <summary>A <c>webhook-id</c>: <c>msg_</c> and a time-ordered UUID.</summary>
    public static string NewMessageId(DateTimeOffset now) => "msg_" + Guid.CreateVersion7(now).ToString("N");
}
