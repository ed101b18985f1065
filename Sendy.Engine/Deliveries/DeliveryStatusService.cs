using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Nodes;
using Sendy.Engine.Notifications;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// Changes a delivery's status. One transaction: lock the delivery row, look the idempotency key
/// up, check the actor and the transition, then write the status event, the delivery's new status,
/// one outbox row per enabled channel, the webhook messages of its events (<see cref="WebhookOutbox"/>),
/// and the NOTIFYs (live status for peers, outbox and webhook wake-ups).
/// After the commit the change is published to this node's pages.
/// </summary>
public sealed class DeliveryStatusService(
    IDbContextFactory<SendyDbContext> contexts,
    NotificationChannels channels,
    IDeliveryStatusPublisher live,
    WebhookOutbox webhooks,
    NodeId node,
    IOptions<DeliveryOptions> options,
    TimeProvider time)
{
    public const string OutboxWakeChannel = "sendy_outbox";

    public async Task<StatusChangeResult> ChangeAsync(StatusChangeRequest request, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await LockAsync(db, request.DeliveryId, cancellationToken);
        if (delivery is null) return new(StatusChangeOutcome.NotFound, null, null);
        if (request.Actor.Kind == StatusActorKind.Driver && (delivery.DriverId is null || delivery.DriverId != request.Actor.DriverId))
            return new(StatusChangeOutcome.NotAssignedDriver, null, null);

        var seen = await db.StatusEvents.AsNoTracking()
            .FirstOrDefaultAsync(e => e.DeliveryId == delivery.Id && e.IdempotencyKey == request.IdempotencyKey, cancellationToken);
        if (seen is not null)
            return seen.ToStatus == request.To
                ? new(StatusChangeOutcome.Replayed, delivery.Status, StatusEventView.Of(seen))
                : new(StatusChangeOutcome.KeyReused, delivery.Status, null);

        if (!DeliveryStateMachine.CanMove(delivery.Status, request.To))
            return new(StatusChangeOutcome.InvalidTransition, delivery.Status, null);
        if (DeliveryStateMachine.RequiresReason(request.To) && string.IsNullOrWhiteSpace(request.Reason))
            return new(StatusChangeOutcome.ReasonRequired, delivery.Status, null);

        var change = await WriteAsync(db, delivery, request, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        PublishCommitted(change);
        return new(StatusChangeOutcome.Changed, delivery.Status, change.Event);
    }

    /// <summary>Tells this node's pages; peers hear it from the NOTIFY queued in the transaction.</summary>
    internal void PublishCommitted(DeliveryStatusChanged change) => live.Publish(change);

    internal static Task<Delivery?> LockAsync(SendyDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.Deliveries.FromSql($"SELECT * FROM deliveries WHERE id = {id} FOR UPDATE").AsTracking().SingleOrDefaultAsync(cancellationToken);

    /// <summary>Writes event, status, outbox rows and notifications in the caller's transaction; the caller has checked the move.</summary>
    internal async Task<DeliveryStatusChanged> WriteAsync(SendyDbContext db, Delivery delivery, StatusChangeRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var where = await WhereAsync(db, delivery, cancellationToken);
        var statusEvent = new DeliveryStatusEvent
        {
            Id = Guid.CreateVersion7(now),
            DeliveryId = delivery.Id,
            FromStatus = request.To == DeliveryStatus.Booked ? null : delivery.Status,
            ToStatus = request.To,
            ActorKind = request.Actor.Kind,
            ActorId = request.Actor.Id,
            OccurredAt = now,
            Location = where,
            Note = Trimmed(request.Note),
            Reason = Trimmed(request.Reason),
            IdempotencyKey = request.IdempotencyKey,
        };
        db.StatusEvents.Add(statusEvent);

        delivery.Status = request.To;
        delivery.StatusChangedAt = now;
        if (request.To == DeliveryStatus.PickedUp) delivery.PickedUpAt = now;
        if (request.To == DeliveryStatus.Delivered) delivery.DeliveredAt = now;
        if (request.To == DeliveryStatus.Failed) delivery.FailureReason = statusEvent.Reason;
        if (DeliveryStateMachine.IsFinal(request.To))
        {
            delivery.ClosedAt = now;
            delivery.TrackingExpiresAt = now + options.Value.TrackingLinkLifetimeAfterClose;
        }

        return await RecordAsync(db, delivery, statusEvent, channels.For(delivery), cancellationToken);
    }

    /// <summary>
    /// A new truck or driver for a delivery past Booked: a status-log event whose status stays
    /// (<see cref="StatusEventView.IsReassignment"/>), in the caller's transaction, pushed live like
    /// any status event so the customer's page follows the new truck. Of the notification channels
    /// only the search index gets it: the customer's messages speak of status changes.
    /// </summary>
    internal async Task<DeliveryStatusChanged> WriteReassignedAsync(SendyDbContext db, Delivery delivery, StatusActor actor, string note,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var statusEvent = new DeliveryStatusEvent
        {
            Id = id,
            DeliveryId = delivery.Id,
            FromStatus = delivery.Status,
            ToStatus = delivery.Status,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            OccurredAt = now,
            Location = await WhereAsync(db, delivery, cancellationToken),
            Note = note.Length <= 500 ? note : note[..500],
            IdempotencyKey = $"reassign:{id:N}",
        };
        db.StatusEvents.Add(statusEvent);
        return await RecordAsync(db, delivery, statusEvent,
            channels.For(delivery).Where(c => c == NotificationChannel.SearchIndex), cancellationToken);
    }

    private static async Task<NetTopologySuite.Geometries.Point?> WhereAsync(SendyDbContext db, Delivery delivery, CancellationToken cancellationToken) =>
        delivery.TruckId is null ? null
            : await db.LatestPositions.Where(p => p.TruckId == delivery.TruckId).Select(p => p.Location).FirstOrDefaultAsync(cancellationToken);

    private async Task<DeliveryStatusChanged> RecordAsync(SendyDbContext db, Delivery delivery, DeliveryStatusEvent statusEvent,
        IEnumerable<string> outboxChannels, CancellationToken cancellationToken)
    {
        var outbox = outboxChannels.Select(channel => new OutboxMessage
        {
            StatusEventId = statusEvent.Id, DeliveryId = delivery.Id, Channel = channel, CreatedAt = statusEvent.OccurredAt,
        }).ToList();
        db.Outbox.AddRange(outbox);
        var view = StatusEventView.Of(statusEvent);
        var hooked = await webhooks.AddAsync(db, delivery, WebhookPayloads.Of(view), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var change = new DeliveryStatusChanged(delivery.Id, view);
        await NotifyAsync(db, node.Value, change, wakeOutbox: outbox.Count > 0, wakeWebhooks: hooked, cancellationToken);
        return change;
    }

    /// <summary>
    /// Queues the NOTIFYs in the caller's transaction (PostgreSQL delivers them only on commit): the
    /// live status for peers and, when asked, the outbox's and the webhook dispatcher's wake-ups.
    /// </summary>
    internal static async Task NotifyAsync(SendyDbContext db, string nodeId, DeliveryStatusChanged change, bool wakeOutbox, bool wakeWebhooks,
        CancellationToken cancellationToken)
    {
        var payload = StatusRelay.PayloadFor(nodeId, change);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({StatusRelay.Channel}, {payload})", cancellationToken);
        if (wakeOutbox) await db.Database.ExecuteSqlAsync($"SELECT pg_notify({OutboxWakeChannel}, '')", cancellationToken);
        if (wakeWebhooks) await WebhookOutbox.WakeAsync(db, cancellationToken);
    }

    private static string? Trimmed(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
