using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>An endpoint as its client and the admins see it (never its secret).</summary>
public sealed record WebhookEndpointView(
    Guid Id,
    Guid ApiClientId,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    bool Enabled,
    DateTimeOffset? DisabledAt,
    string? DisabledReason,
    DateTimeOffset? FailingSince,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    string? CreatedBy)
{
    internal static WebhookEndpointView Of(WebhookEndpoint e, DateTimeOffset now) => new(e.Id, e.ApiClientId, e.Url, e.EventTypes, e.Description,
        e.Enabled, e.DisabledAt, e.DisabledReason, e.FailingSince, e.PreviousSecretExpiresAt > now ? e.PreviousSecretExpiresAt : null, e.CreatedAt, e.CreatedBy);
}

/// <summary>A new endpoint or a rotation: the secret is shown this once.</summary>
public sealed record WebhookEndpointWithSecret(WebhookEndpointView Endpoint, string Secret);

public sealed record WebhookMessageView(long Id, string MessageId, Guid EndpointId, Guid DeliveryId, long Sequence, string EventType,
    WebhookMessageState State, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError);

public sealed record WebhookAttemptView(DateTimeOffset AttemptedAt, int? StatusCode, int LatencyMs, string? Error);

/// <summary>An endpoint's request: what a client (or admin) asks for, checked by <see cref="WebhookEndpoints.Check"/>.</summary>
public sealed record WebhookEndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description);

public enum WebhookEndpointOutcome
{
    Done,
    NotFound,
}

/// <summary>
/// Webhook endpoints of API clients (<c>webhooks:manage</c>): create, change, delete, rotate the
/// secret (the old one keeps signing for a grace period), enable again; and for admins the
/// messages, their attempts and redelivery.
/// </summary>
public sealed class WebhookEndpoints(IDbContextFactory<SendyDbContext> contexts, WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const int MaxEndpointsPerClient = 20;
    public const int MaxDescription = 200;

    /// <summary>Field errors of a request ("url", "eventTypes", "description"); empty when it is fine. <paramref name="partial"/>: left-out fields stay as they are.</summary>
    public Dictionary<string, string[]> Check(WebhookEndpointRequest request, bool partial = false)
    {
        var errors = new Dictionary<string, string[]>();
        var o = options.Value;
        if (request.Url is not null || !partial)
        {
            switch (WebhookTargets.Check(request.Url?.Trim(), o.AllowHttp, o.IsHostAllowed))
            {
                case WebhookUrlProblem.Invalid:
                    errors["url"] = [$"must be an absolute https URL of at most {WebhookTargets.MaxUrlLength} characters, without user name, password or fragment"];
                    break;
                case WebhookUrlProblem.HttpsRequired:
                    errors["url"] = ["must use https"];
                    break;
                case WebhookUrlProblem.PrivateAddress:
                    errors["url"] = ["must be a public address: loopback, private and link-local addresses are refused unless an admin allows the host"];
                    break;
            }
        }
        if (request.EventTypes is not null || !partial)
        {
            if (request.EventTypes is not { Count: > 0 } types)
                errors["eventTypes"] = ["must name at least one event type: " + string.Join(", ", WebhookEventTypes.All)];
            else if (types.Any(t => t is null || !WebhookEventTypes.IsKnown(t)))
                errors["eventTypes"] = [$"unknown event type '{types.First(t => t is null || !WebhookEventTypes.IsKnown(t))}'; known: "
                    + string.Join(", ", WebhookEventTypes.All)];
        }
        if (request.Description is { } d && (d.Length > MaxDescription || !StoredText.IsClean(d)))
            errors["description"] = [$"must be at most {MaxDescription} characters, without control characters"];
        return errors;
    }

    /// <summary>Creates an endpoint (the request checked); null when the client has <see cref="MaxEndpointsPerClient"/> already.</summary>
    public async Task<WebhookEndpointWithSecret?> CreateAsync(Guid apiClientId, WebhookEndpointRequest request, string? createdBy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.WebhookEndpoints.CountAsync(e => e.ApiClientId == apiClientId, cancellationToken) >= MaxEndpointsPerClient) return null;
        var now = time.GetUtcNow();
        var secret = WebhookSigner.CreateSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(now), ApiClientId = apiClientId, Url = request.Url!.Trim(), EventTypes = [.. request.EventTypes!.Distinct()],
            Description = Clean(request.Description), SecretProtected = secrets.Protect(secret), CreatedAt = now, CreatedBy = createdBy,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookEndpointWithSecret(WebhookEndpointView.Of(endpoint, now), secret);
    }

    /// <summary>The endpoints of one client, or of every client (<paramref name="apiClientId"/> null, for admins).</summary>
    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(Guid? apiClientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.WebhookEndpoints.AsNoTracking();
        if (apiClientId is { } client) query = query.Where(e => e.ApiClientId == client);
        var now = time.GetUtcNow();
        return [.. (await query.OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken)).Select(e => WebhookEndpointView.Of(e, now))];
    }

    /// <summary>One endpoint, if it is the client's (any client's for <paramref name="apiClientId"/> null).</summary>
    public async Task<WebhookEndpointView?> GetAsync(Guid id, Guid? apiClientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var e = await Owned(db, id, apiClientId).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return e is null ? null : WebhookEndpointView.Of(e, time.GetUtcNow());
    }

    /// <summary>Changes what the request names (checked with partial); enabling makes its waiting messages due again.</summary>
    public async Task<WebhookEndpointView?> UpdateAsync(Guid id, Guid? apiClientId, WebhookEndpointRequest request, bool? enabled, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var e = await Owned(db, id, apiClientId).FirstOrDefaultAsync(cancellationToken);
        if (e is null) return null;
        var now = time.GetUtcNow();
        if (request.Url is { } url) e.Url = url.Trim();
        if (request.EventTypes is { } types) e.EventTypes = [.. types.Distinct()];
        if (request.Description is not null) e.Description = Clean(request.Description);
        if (enabled is { } on && on != e.Enabled)
        {
            e.Enabled = on;
            e.DisabledAt = on ? null : now;
            e.DisabledReason = on ? null : "Disabled by its owner or an admin";
            e.FailingSince = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (enabled == true)
        {
            // Back on: what waited in backoff goes now, and so does any queue whose head is gone.
            // Their 24 hours of retries start again: the time off was not the receiver's.
            await db.WebhookMessages.Where(m => m.EndpointId == id && m.State == WebhookMessageState.Pending && m.NextAttemptAt != null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now).SetProperty(m => m.DueSince, now), cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            await using var unstick = new Npgsql.NpgsqlCommand(WebhookDispatcher.Unstick, (Npgsql.NpgsqlConnection)db.Database.GetDbConnection())
            {
                Parameters = { new Npgsql.NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() }, new Npgsql.NpgsqlParameter<Guid?> { TypedValue = id } },
            };
            await unstick.ExecuteNonQueryAsync(cancellationToken);
        }
        return WebhookEndpointView.Of(e, now);
    }

    public async Task<bool> DeleteAsync(Guid id, Guid? apiClientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Owned(db, id, apiClientId).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// A new secret; the current one keeps signing (a second signature) for <paramref name="grace"/>
    /// (<see cref="WebhookOptions.SecretGracePeriod"/> when null; zero ends it now), so the receiver can switch without losing a message.
    /// </summary>
    public async Task<WebhookEndpointWithSecret?> RotateSecretAsync(Guid id, Guid? apiClientId, TimeSpan? grace, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var e = await Owned(db, id, apiClientId).FirstOrDefaultAsync(cancellationToken);
        if (e is null) return null;
        var now = time.GetUtcNow();
        var secret = WebhookSigner.CreateSecret();
        var keep = grace ?? options.Value.SecretGracePeriod;
        e.PreviousSecretProtected = keep > TimeSpan.Zero ? e.SecretProtected : null;
        e.PreviousSecretExpiresAt = keep > TimeSpan.Zero ? now + keep : null;
        e.SecretProtected = secrets.Protect(secret);
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookEndpointWithSecret(WebhookEndpointView.Of(e, now), secret);
    }

    /// <summary>An endpoint's messages, newest first, <paramref name="limit"/> before <paramref name="beforeId"/>.</summary>
    public async Task<IReadOnlyList<WebhookMessageView>> MessagesAsync(Guid endpointId, Guid? apiClientId, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await Owned(db, endpointId, apiClientId).AnyAsync(cancellationToken)) return [];
        var query = db.WebhookMessages.AsNoTracking().Where(m => m.EndpointId == endpointId);
        if (beforeId is { } before) query = query.Where(m => m.Id < before);
        return await query.OrderByDescending(m => m.Id).Take(limit)
            .Select(MessageView)
            .ToListAsync(cancellationToken);
    }

    /// <summary>One message of the endpoint, if the endpoint is the client's (any client's for <paramref name="apiClientId"/> null).</summary>
    public async Task<WebhookMessageView?> MessageOfAsync(Guid endpointId, long messageId, Guid? apiClientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await Owned(db, endpointId, apiClientId).AnyAsync(cancellationToken)) return null;
        return await db.WebhookMessages.AsNoTracking().Where(m => m.Id == messageId && m.EndpointId == endpointId)
            .Select(MessageView)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookAttemptView>> AttemptsAsync(long messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WebhookAttempts.AsNoTracking().Where(a => a.MessageId == messageId).OrderByDescending(a => a.Id)
            .Select(a => new WebhookAttemptView(a.AttemptedAt, a.StatusCode, a.LatencyMs, a.Error)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a delivered or given-up message again, with the same <c>webhook-id</c> (receivers
    /// dedupe): it becomes pending, due now if nothing older of its delivery is pending for the
    /// endpoint, else after that. False when there is no such message, it is pending already, or its client is revoked.
    /// </summary>
    public async Task<bool> RedeliverAsync(long messageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var m = await db.WebhookMessages.FirstOrDefaultAsync(x => x.Id == messageId, cancellationToken);
        if (m is null || m.State == WebhookMessageState.Pending) return false;
        // Nothing is sent for a revoked client: a redelivery would wait for ever.
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == m.EndpointId && db.ApiClients.Any(c => c.Id == e.ApiClientId && c.RevokedAt == null), cancellationToken))
            return false;
        // Lock the delivery against the dispatcher's settling (which holds it shared) and new events:
        // its queue for this endpoint is rearranged by one writer at a time.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM deliveries WHERE id = {m.DeliveryId} FOR UPDATE", cancellationToken);
        await db.Entry(m).ReloadAsync(cancellationToken);
        if (m.State == WebhookMessageState.Pending) return false;
        var now = time.GetUtcNow();
        var older = await db.WebhookMessages.AnyAsync(x => x.EndpointId == m.EndpointId && x.DeliveryId == m.DeliveryId
            && x.State == WebhookMessageState.Pending && x.Sequence < m.Sequence, cancellationToken);
        // Newer pending messages that were due wait behind it again: order per delivery holds.
        await db.WebhookMessages.Where(x => x.EndpointId == m.EndpointId && x.DeliveryId == m.DeliveryId && x.State == WebhookMessageState.Pending
                && x.Sequence > m.Sequence && x.LeaseUntil == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null).SetProperty(x => x.DueSince, (DateTimeOffset?)null), cancellationToken);
        m.State = WebhookMessageState.Pending;
        m.NextAttemptAt = older ? null : now;
        m.DueSince = older ? null : now; // its retry window starts again
        m.LastError = null;
        await db.SaveChangesAsync(cancellationToken);
        await WebhookOutbox.WakeAsync(db, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    private static readonly System.Linq.Expressions.Expression<Func<WebhookMessage, WebhookMessageView>> MessageView = m => new WebhookMessageView(
        m.Id, m.MessageId, m.EndpointId, m.DeliveryId, m.Sequence, m.EventType, m.State, m.Attempts, m.CreatedAt, m.NextAttemptAt, m.DeliveredAt, m.LastError);

    private static IQueryable<WebhookEndpoint> Owned(SendyDbContext db, Guid id, Guid? apiClientId) =>
        apiClientId is { } client ? db.WebhookEndpoints.Where(e => e.Id == id && e.ApiClientId == client) : db.WebhookEndpoints.Where(e => e.Id == id);

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
