using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Trackers;

/// <summary>PostgreSQL did not answer the device lookup and this node has no recent answer for the id.</summary>
public sealed class TrackerLookupUnavailableException(Exception inner)
    : Exception("The tracker device lookup is unavailable (database unreachable)", inner);

/// <summary>
/// Finds the truck of a tracker's device id, by the id's hash, in PostgreSQL on every request: a
/// reissued or removed id stops at once on every node, and one indexed lookup per tracker request
/// (every few seconds per device) costs less than the stream put that follows it. Only when
/// PostgreSQL does not answer does the node fall back to what it last found for the id (at most
/// <see cref="OutageGrace"/> old), so trackers keep reporting through a database outage as driver
/// phones do (the stream is the buffer); an id rotated in the moment before the outage may be
/// accepted a little longer on a node that saw it before.
/// </summary>
public sealed class TrackerDevices(IDbContextFactory<SendyDbContext> contexts, TimeProvider time)
{
    public static readonly TimeSpan OutageGrace = TimeSpan.FromMinutes(10);
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, (string TruckId, DateTimeOffset FoundAt)> _lastFound = new(StringComparer.Ordinal);

    /// <exception cref="TrackerLookupUnavailableException">PostgreSQL is unreachable and the id was not found here lately.</exception>
    public async Task<string?> FindTruckAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (deviceId.Length is 0 or > TrackerIds.MaxLegacyLength) return null;
        var hash = TrackerIds.Hash(deviceId);
        var key = Convert.ToHexString(hash);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var truckId = await db.Trucks.AsNoTracking().Where(t => t.DeviceIdHash == hash).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
            if (truckId is null) _lastFound.TryRemove(key, out _);
            else
            {
                if (_lastFound.Count >= MaxRemembered) _lastFound.Clear();
                _lastFound[key] = (truckId, time.GetUtcNow());
            }
            return truckId;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            if (_lastFound.TryGetValue(key, out var last) && time.GetUtcNow() - last.FoundAt <= OutageGrace) return last.TruckId;
            throw new TrackerLookupUnavailableException(ex);
        }
    }
}
