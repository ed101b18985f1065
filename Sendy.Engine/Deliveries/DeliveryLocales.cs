using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Ingest;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Deliveries;

/// <summary>The language a customer's tracking link speaks: the delivery's locale ("ko", "en").</summary>
public interface IDeliveryLocales
{
    /// <summary>The delivery's locale for a tracking token, or null when the token is unknown.</summary>
    Task<string?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken);
}

/// <summary>
/// Asked on every request of a customer's page (the page itself, then its circuit), so answers are
/// remembered for a while: a delivery's locale is set when it is booked and practically never changes.
/// </summary>
public sealed class EfDeliveryLocales(IDbContextFactory<SendyDbContext> contexts, TimeProvider time) : IDeliveryLocales
{
    private readonly ExpiringLookup<string> _lookup = new(time, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));

    public Task<string?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken) =>
        AccessTokens.LooksValid(token) ? _lookup.GetAsync(token, LoadAsync, cancellationToken) : Task.FromResult<string?>(null);

    private async Task<string?> LoadAsync(string token, CancellationToken cancellationToken)
    {
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Any link the delivery had (a revoked one still explains itself in the customer's language).
        return await (from l in db.TrackingLinks.AsNoTracking()
                      where l.TokenHash == hash
                      join d in db.Deliveries on l.DeliveryId equals d.Id
                      select d.Locale).FirstOrDefaultAsync(cancellationToken);
    }
}
