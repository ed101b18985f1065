using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Nodes;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries.ShareLinks;

public enum ShareLinkState
{
    Active,
    Expired,
    Revoked,
}

/// <summary>
/// A tracking link as staff and API clients see it. <see cref="ExpiresAt"/> is when it stops working:
/// its own expiry when it was extended (<see cref="OwnExpiry"/>), else the delivery's default (set
/// when the delivery closes; null while it is open). <see cref="Url"/> is null only when this node
/// cannot decrypt the token (logged and counted by <see cref="TrackingLinks"/>).
/// </summary>
public sealed record ShareLinkView(
    Guid Id, ShareLinkState State, string? Url, DateTimeOffset CreatedAt, string? CreatedBy,
    DateTimeOffset? ExpiresAt, bool OwnExpiry, DateTimeOffset? RevokedAt, string? RevokedBy, bool Current);

public enum ShareLinkOutcome
{
    Done,
    NotFound,

    /// <summary>A revoked link stays revoked: it cannot be extended.</summary>
    Revoked,

    /// <summary>An extension must end in the future and within <see cref="ShareLinkService.MaxLifetime"/>.</summary>
    ExpiryInvalid,
}

public sealed record ShareLinkResult(ShareLinkOutcome Outcome, ShareLinkView? Link = null);

/// <summary>
/// A delivery's tracking links (issue 17, item 6): list, revoke, extend, reissue. Reissuing gives
/// the delivery a new token; PostgreSQL then revokes the old link and records the new one (trigger
/// <c>tracking_links_follow</c>, with the actor from the transaction's <c>sendy.actor</c> setting).
/// Every change is told to the customer pages showing the delivery, on every node, which look the
/// link up again: a revoked or expired link stops showing the truck at once.
/// </summary>
public sealed class ShareLinkService(
    IDbContextFactory<SendyDbContext> contexts, NpgsqlDataSource dataSource, TrackingLinks links, TimeProvider time,
    IDeliveryStatusPublisher live, NodeId node)
{
    /// <summary>How links record who changed them: "Dispatcher:kim@example.com", "ApiClient:Booking system".</summary>
    public static string Label(StatusActor actor) => $"{actor.Kind}:{actor.Id}";

    /// <summary>The furthest an extension may reach from now.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>Every link the delivery has had, newest first; null when there is no such delivery.</summary>
    public async Task<IReadOnlyList<ShareLinkView>?> ListAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().Where(d => d.Id == deliveryId)
            .Select(d => new { d.TrackingTokenHash, d.TrackingExpiresAt }).FirstOrDefaultAsync(cancellationToken);
        if (delivery is null) return null;
        var rows = await db.TrackingLinks.AsNoTracking().Where(l => l.DeliveryId == deliveryId)
            .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).ToListAsync(cancellationToken);
        return rows.Select(l => View(l, delivery.TrackingExpiresAt, l.TokenHash.AsSpan().SequenceEqual(delivery.TrackingTokenHash))).ToList();
    }

    public async Task<ShareLinkResult> RevokeAsync(Guid deliveryId, Guid linkId, string actor, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var now = time.GetUtcNow();
            var revoked = await db.TrackingLinks.Where(l => l.Id == linkId && l.DeliveryId == deliveryId && l.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now).SetProperty(l => l.RevokedBy, actor), cancellationToken);
            if (revoked > 0) await TellPagesAsync(deliveryId, cancellationToken);
        }
        return await OneAsync(deliveryId, linkId, cancellationToken) is { } link ? new(ShareLinkOutcome.Done, link) : new(ShareLinkOutcome.NotFound);
    }

    /// <summary>Sets the link's own expiry (it may pass the default after close; it may also shorten it).</summary>
    public async Task<ShareLinkResult> ExtendAsync(Guid deliveryId, Guid linkId, DateTimeOffset until, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (until <= now || until > now + MaxLifetime) return new(ShareLinkOutcome.ExpiryInvalid);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var changed = await db.TrackingLinks.Where(l => l.Id == linkId && l.DeliveryId == deliveryId && l.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until.ToUniversalTime()), cancellationToken);
            if (changed > 0) await TellPagesAsync(deliveryId, cancellationToken);
        }
        return await OneAsync(deliveryId, linkId, cancellationToken) switch
        {
            null => new(ShareLinkOutcome.NotFound),
            { State: ShareLinkState.Revoked } revoked => new(ShareLinkOutcome.Revoked, revoked),
            var link => new(ShareLinkOutcome.Done, link),
        };
    }

    /// <summary>A new link for the delivery; the current one is revoked. Null when there is no such delivery.</summary>
    public async Task<ShareLinkView?> ReissueAsync(Guid deliveryId, string actor, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        var hash = AccessTokens.Hash(token);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var who = new NpgsqlCommand("SELECT set_config('sendy.actor', $1, true)", connection, tx) { Parameters = { new() { Value = actor } } })
                await who.ExecuteNonQueryAsync(cancellationToken);
            await using var update = new NpgsqlCommand(
                "UPDATE deliveries SET tracking_token_hash = $2, tracking_token_protected = $3 WHERE id = $1", connection, tx)
            {
                Parameters = { new() { Value = deliveryId }, new() { Value = hash }, new() { Value = links.Protect(token) } },
            };
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0) return null;
            await tx.CommitAsync(cancellationToken);
        }
        await TellPagesAsync(deliveryId, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = await db.TrackingLinks.Where(l => l.TokenHash == hash).Select(l => l.Id).FirstAsync(cancellationToken);
        return await OneAsync(deliveryId, id, cancellationToken);
    }

    private async Task<ShareLinkView?> OneAsync(Guid deliveryId, Guid linkId, CancellationToken cancellationToken) =>
        (await ListAsync(deliveryId, cancellationToken))?.FirstOrDefault(l => l.Id == linkId);

    private ShareLinkView View(TrackingLink l, DateTimeOffset? defaultExpiry, bool current)
    {
        var expires = l.ExpiresAt ?? defaultExpiry;
        var state = l.RevokedAt is not null ? ShareLinkState.Revoked
            : expires is { } e && e <= time.GetUtcNow() ? ShareLinkState.Expired
            : ShareLinkState.Active;
        return new ShareLinkView(l.Id, state, links.LinkOrNull(l.DeliveryId, l.TokenProtected)?.ToString(), l.CreatedAt, l.CreatedBy, expires, l.ExpiresAt is not null, l.RevokedAt, l.RevokedBy, current);
    }

    /// <summary>Customer pages of this delivery, here and on other nodes (LISTEN/NOTIFY), look their link up again.</summary>
    private async Task TellPagesAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var change = new DeliveryStatusChanged(deliveryId, null, LinkChanged: true);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            await DeliveryStatusService.NotifyAsync(db, node.Value, change, wakeOutbox: false, wakeWebhooks: false, cancellationToken);
        live.Publish(change);
    }
}
