using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>
/// Remembers resolved driver tokens briefly so a phone posting every few seconds does not cost a
/// database round trip each time. Memory only; unknown tokens are cached too, shorter.
/// </summary>
public sealed class DriverTokenCache(ITrackingQueries queries, TimeProvider time)
{
    private static readonly TimeSpan KnownTtl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownTtl = TimeSpan.FromSeconds(5);
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, (DriverIdentity? Driver, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public async Task<DriverIdentity?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(token, out var hit) && hit.Expires > now) return hit.Driver;
        var driver = await queries.FindDriverAsync(token, cancellationToken);
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[token] = (driver, now + (driver is null ? UnknownTtl : KnownTtl));
        return driver;
    }
}
