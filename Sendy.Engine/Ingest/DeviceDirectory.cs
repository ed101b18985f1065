using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Ingest;

/// <summary>
/// Maps a native tracker's device id (OsmAnd protocol "id") to its truck, with a short cache:
/// such apps post every few seconds.
/// </summary>
public sealed class DeviceDirectory(IDbContextFactory<SendyDbContext> contexts, TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, (string? TruckId, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<string?> FindTruckAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(deviceId, out var hit) && hit.Expires > now) return hit.TruckId;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var truckId = await db.Trucks.AsNoTracking().Where(t => t.DeviceId == deviceId).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        if (_cache.Count >= MaxEntries) _cache.Clear();
        _cache[deviceId] = (truckId, now + Ttl);
        return truckId;
    }

    public void Forget(string deviceId) => _cache.TryRemove(deviceId, out _);
}
