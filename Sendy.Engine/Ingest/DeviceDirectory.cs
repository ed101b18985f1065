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
    private readonly ExpiringLookup<string> _lookup = new(time, Ttl, Ttl);

    public Task<string?> FindTruckAsync(string deviceId, CancellationToken cancellationToken) =>
        _lookup.GetAsync(deviceId, LoadAsync, cancellationToken);

    public void Forget(string deviceId) => _lookup.Forget(deviceId);

    private async Task<string?> LoadAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Trucks.AsNoTracking().Where(t => t.DeviceId == deviceId).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
    }
}
