using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>
/// Remembers resolved driver tokens briefly so a phone posting every few seconds does not cost a
/// database round trip each time. Memory only; unknown tokens are cached too, shorter.
/// </summary>
public sealed class DriverTokenCache(ITrackingQueries queries, TimeProvider time)
{
    private readonly ExpiringLookup<DriverIdentity> _lookup = new(time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

    public Task<DriverIdentity?> FindAsync(string token, CancellationToken cancellationToken) =>
        _lookup.GetAsync(token, queries.FindDriverAsync, cancellationToken);

    /// <summary>Whether this node resolved <paramref name="token"/> to a driver lately (no database call: for the rate limiter).</summary>
    public bool IsKnownDriver(string token) => _lookup.TryPeek(token, out _);

    /// <summary>
    /// After an admin issued a new link or moved the driver: this node stops using the cached identity
    /// at once (other nodes within the cache's 30 s).
    /// </summary>
    public void ForgetDriver(Guid driverId) => _lookup.ForgetWhere(d => d.DriverId == driverId);
}
