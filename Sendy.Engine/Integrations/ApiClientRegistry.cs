using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Integrations;

/// <summary>An authenticated API client, as the endpoints see it.</summary>
public sealed record ApiCaller(Guid ClientId, string Name, IReadOnlyList<string> Scopes)
{
    public bool May(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}

/// <summary>A client as the admin page lists it; never its secret.</summary>
public sealed record ApiClientView(
    Guid Id, string Name, IReadOnlyList<string> Scopes, string SecretHint, string? CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    public bool IsRevoked => RevokedAt is not null;

    internal static ApiClientView Of(ApiClient c) =>
        new(c.Id, c.Name, c.Scopes, c.SecretHint, c.CreatedBy, c.CreatedAt, c.LastUsedAt, c.RevokedAt, c.RevokedBy);
}

public enum ApiClientError
{
    NameRequired,
    NameTooLong,
    NameTaken,
    ScopesRequired,
    UnknownScope,
}

/// <summary>One refused field of a new client and why; the console words it in the admin's language.</summary>
public sealed record ApiClientProblem(string Field, ApiClientError Error, string? Detail = null);

/// <summary>A client just created: its secret, shown this once.</summary>
public sealed record CreatedApiClient(ApiClientView Client, string Secret);

/// <summary>
/// API clients: created and revoked by admins, checked on every API call. A checked key is kept
/// for <see cref="ApiClientOptions.CacheFor"/> so a booking system's burst costs one lookup, and
/// "last used" is written at most once per <see cref="ApiClientOptions.LastUsedResolution"/>.
/// </summary>
public sealed class ApiClientRegistry(IDbContextFactory<SendyDbContext> contexts, IOptions<ApiClientOptions> options, TimeProvider time)
{
    public const int MaxName = 100; // the status log's actor column
    private const string NameKey = "ix_api_clients_name";

    private readonly ConcurrentDictionary<string, Checked> _checked = new(StringComparer.Ordinal);

    public async Task<(CreatedApiClient? Created, IReadOnlyList<ApiClientProblem> Problems)> CreateAsync(
        string? name, IEnumerable<string>? scopes, string? createdBy, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        var wanted = (scopes ?? []).Select(s => s.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var problems = new List<ApiClientProblem>();
        if (string.IsNullOrEmpty(name) || !Storage.StoredText.IsClean(name)) problems.Add(new("name", ApiClientError.NameRequired));
        else if (name.Length > MaxName) problems.Add(new("name", ApiClientError.NameTooLong, MaxName.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (wanted.Count == 0) problems.Add(new("scopes", ApiClientError.ScopesRequired));
        problems.AddRange(wanted.Where(s => !ApiScopes.IsKnown(s)).Select(s => new ApiClientProblem("scopes", ApiClientError.UnknownScope, s)));
        if (problems.Count > 0) return (null, problems);

        var secret = ApiClientSecrets.Create();
        var client = new ApiClient
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()), Name = name!, Scopes = [.. ApiScopes.All.Where(wanted.Contains)],
            SecretHash = ApiClientSecrets.Hash(secret), SecretHint = ApiClientSecrets.Hint(secret),
            CreatedBy = createdBy, CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ApiClients.Add(client);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: "23505", ConstraintName: NameKey })
        {
            return (null, [new("name", ApiClientError.NameTaken)]);
        }
        return (new CreatedApiClient(ApiClientView.Of(client), secret), []);
    }

    /// <summary>Every client, active ones first, newest first.</summary>
    public async Task<IReadOnlyList<ApiClientView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiClients.AsNoTracking()
            .OrderBy(c => c.RevokedAt != null).ThenByDescending(c => c.CreatedAt).ToListAsync(cancellationToken);
        return rows.Select(ApiClientView.Of).ToList();
    }

    /// <summary>False when there is no such client or it was revoked before. Calls with its key fail from now on (other nodes: within <see cref="ApiClientOptions.CacheFor"/>).</summary>
    public async Task<bool> RevokeAsync(Guid id, string? revokedBy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var revoked = await db.ApiClients.Where(c => c.Id == id && c.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, now).SetProperty(c => c.RevokedBy, revokedBy), cancellationToken);
        foreach (var (key, entry) in _checked)
            if (entry.Caller.ClientId == id) _checked.TryRemove(key, out _);
        return revoked > 0;
    }

    /// <summary>The client a secret belongs to, or null for a malformed, unknown or revoked one.</summary>
    public async ValueTask<ApiCaller?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!ApiClientSecrets.LooksValid(secret)) return null;
        var hash = ApiClientSecrets.Hash(secret);
        var key = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (!_checked.TryGetValue(key, out var entry) || now - entry.CheckedAt >= options.Value.CacheFor)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var row = await db.ApiClients.AsNoTracking().Where(c => c.SecretHash == hash && c.RevokedAt == null)
                .Select(c => new { c.Id, c.Name, c.Scopes, c.LastUsedAt }).FirstOrDefaultAsync(cancellationToken);
            if (row is null)
            {
                _checked.TryRemove(key, out _);
                return null;
            }
            entry = new Checked(new ApiCaller(row.Id, row.Name, row.Scopes), now, entry?.TouchedAt ?? row.LastUsedAt);
            _checked[key] = entry;
        }
        if (entry.ShouldTouch(now, options.Value.LastUsedResolution))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.ApiClients.Where(c => c.Id == entry.Caller.ClientId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), cancellationToken);
        }
        return entry.Caller;
    }

    /// <summary>Whether this node checked the secret lately and found a client (no database call): the rate limiter's question.</summary>
    public bool IsKnown(string secret) =>
        ApiClientSecrets.LooksValid(secret)
        && _checked.TryGetValue(Convert.ToHexString(ApiClientSecrets.Hash(secret)), out var entry)
        && time.GetUtcNow() - entry.CheckedAt < options.Value.CacheFor;

    private sealed class Checked(ApiCaller caller, DateTimeOffset checkedAt, DateTimeOffset? touchedAt)
    {
        private long _touchedTicks = touchedAt?.UtcTicks ?? 0;

        public ApiCaller Caller => caller;
        public DateTimeOffset CheckedAt => checkedAt;
        public DateTimeOffset? TouchedAt => Interlocked.Read(ref _touchedTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

        /// <summary>True for exactly one caller once the resolution has passed since the last write.</summary>
        public bool ShouldTouch(DateTimeOffset now, TimeSpan resolution)
        {
            var last = Interlocked.Read(ref _touchedTicks);
            if (last > 0 && now.UtcTicks - last < resolution.Ticks) return false;
            return Interlocked.CompareExchange(ref _touchedTicks, now.UtcTicks, last) == last;
        }
    }
}
