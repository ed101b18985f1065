using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Fleet;

/// <summary>Whether a truck has a tracker device id, and which kind.</summary>
public enum TrackerIdKind { None, Issued, Legacy }

public sealed record TruckSummary(string Id, string Name, string? Plate, TrackerIdKind Tracker, DateTimeOffset? TrackerSetAt, int DriverCount,
    DateTimeOffset CreatedAt);

public sealed record DriverSummary(Guid Id, string Name, string TruckId, string TruckName, DateTimeOffset CreatedAt);

/// <summary>The admin's lists of trucks and drivers (a fleet is hundreds of rows, so no paging here).</summary>
public sealed class FleetAdminQueries(IDbContextFactory<SendyDbContext> contexts)
{
    public async Task<IReadOnlyList<TruckSummary>> ListTrucksAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Trucks.AsNoTracking()
            .OrderBy(t => t.Id)
            .Select(t => new TruckSummary(t.Id, t.Name, t.Plate,
                t.DeviceIdHash == null ? TrackerIdKind.None : t.DeviceIdLegacy ? TrackerIdKind.Legacy : TrackerIdKind.Issued,
                t.DeviceIdSetAt, db.Drivers.Count(d => d.TruckId == t.Id), t.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DriverSummary>> ListDriversAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await (from d in db.Drivers.AsNoTracking()
                      join t in db.Trucks on d.TruckId equals t.Id
                      orderby d.Name, d.Id
                      select new DriverSummary(d.Id, d.Name, d.TruckId, t.Name, d.CreatedAt))
            .ToListAsync(cancellationToken);
    }
}
