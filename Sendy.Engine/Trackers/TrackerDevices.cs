using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Trackers;

/// <summary>
/// Finds the truck of a tracker's device id, by the id's hash. Deliberately no cache: a rotated or
/// removed id must stop at once on every node, and one indexed lookup per tracker request (every
/// few seconds per device) costs less than the stream put that follows it.
/// </summary>
public sealed class TrackerDevices(IDbContextFactory<SendyDbContext> contexts)
{
    public async Task<string?> FindTruckAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (deviceId.Length is 0 or > TrackerIds.MaxLegacyLength) return null;
        var hash = TrackerIds.Hash(deviceId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Trucks.AsNoTracking().Where(t => t.DeviceIdHash == hash).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
    }
}
