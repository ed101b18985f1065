using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Storage;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Deliveries.Eta;

/// <summary>
/// Tells webhook receivers about arrival estimates that moved: a delivery on its way whose estimate
/// (<see cref="EtaKind.Estimated"/> or <see cref="EtaKind.Arriving"/>) is
/// <see cref="WebhookEventTypes.EtaAnnounceThreshold"/> or more from the one announced last (at
/// first: the promised window's end) gets a <c>delivery.eta_changed</c> event. Each delivery is
/// locked and checked again before it is announced, so two nodes never announce the same move.
/// </summary>
public sealed class EtaAnnouncer(IDbContextFactory<SendyDbContext> contexts, WebhookOutbox webhooks, TimeProvider time)
{
    private static readonly double Threshold = WebhookEventTypes.EtaAnnounceThreshold.TotalSeconds;

    /// <summary>Announces every estimate that moved far enough; returns how many were announced.</summary>
    public async Task<int> AnnounceAsync(CancellationToken cancellationToken)
    {
        await using var read = await contexts.CreateDbContextAsync(cancellationToken);
        var moved = await read.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM deliveries
            WHERE status IN ('PickedUp', 'InTransit') AND eta_kind IN ('Estimated', 'Arriving') AND estimated_arrival_at IS NOT NULL
              AND (COALESCE(eta_announced_at, promised_to) IS NULL
                   OR abs(extract(epoch FROM estimated_arrival_at - COALESCE(eta_announced_at, promised_to))) >= {Threshold})
            """).ToListAsync(cancellationToken);
        var announced = 0;
        foreach (var id in moved)
            if (await AnnounceOneAsync(id, cancellationToken)) announced++;
        return announced;
    }

    private async Task<bool> AnnounceOneAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = await DeliveryStatusService.LockAsync(db, id, cancellationToken);
        if (delivery is not { Status: DeliveryStatus.PickedUp or DeliveryStatus.InTransit, EtaKind: EtaKind.Estimated or EtaKind.Arriving, EstimatedArrivalAt: { } eta })
            return false;
        var before = delivery.EtaAnnouncedAt ?? delivery.PromisedTo;
        if (before is { } b && Math.Abs((eta - b).TotalSeconds) < Threshold) return false;
        delivery.EtaAnnouncedAt = eta;
        var hooked = await webhooks.AddAsync(db, delivery,
            [new DeliveryEvent(WebhookEventTypes.EtaChanged, delivery.EtaUpdatedAt ?? time.GetUtcNow()) { PreviousEta = before }], cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (hooked) await WebhookOutbox.WakeAsync(db, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
