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
}
