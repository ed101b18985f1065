using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tracking;

public sealed class EfTrackingQueries(IDbContextFactory<SendyDbContext> contexts) : ITrackingQueries
{
    public async Task<TrackingView?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!AccessTokens.LooksValid(token)) return null;
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (
            from d in db.Deliveries.AsNoTracking()
            where d.TrackingTokenHash == hash
            join t in db.Trucks on d.TruckId equals t.Id
            join dr in db.Drivers on d.DriverId equals dr.Id into drivers
            from dr in drivers.DefaultIfEmpty()
            join p in db.LatestPositions on t.Id equals p.TruckId into latest
            from p in latest.DefaultIfEmpty()
            select new { d.Id, d.CustomerName, d.Status, TruckId = t.Id, t.Name, t.Plate, DriverName = dr == null ? null : dr.Name, Position = p })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return null;
        return new TrackingView(row.Id, row.TruckId, row.Name, row.Plate, FirstName(row.DriverName), row.CustomerName,
            row.Status, row.Position is null ? null : ToPosition(row.Position));
    }

    public async Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken)
    {
        if (!AccessTokens.LooksValid(token)) return null;
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Drivers.AsNoTracking()
            .Where(d => d.TokenHash == hash)
            .Select(d => new DriverIdentity(d.Id, d.Name, d.TruckId))
            .FirstOrDefaultAsync(cancellationToken);
    }

    internal static TruckPosition ToPosition(LatestPosition p) => new(p.TruckId, p.Location.Y, p.Location.X, p.RecordedAt,
        p.ReceivedAt, p.SpeedMps, p.HeadingDegrees, p.AccuracyMeters);

    /// <summary>Customers see the driver's first name only.</summary>
    private static string? FirstName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : name.Trim().Split(' ', 2)[0];
}
