using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tracking;

public sealed class EfTrackingQueries(IDbContextFactory<SendyDbContext> contexts, TimeProvider time) : ITrackingQueries
{
    public async Task<TrackingView?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!AccessTokens.LooksValid(token)) return null;
        var hash = AccessTokens.Hash(token);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var row = await (
            from d in db.Deliveries.AsNoTracking()
            where d.TrackingTokenHash == hash && (d.TrackingExpiresAt == null || d.TrackingExpiresAt > now)
            join t in db.Trucks on d.TruckId equals t.Id into trucks
            from t in trucks.DefaultIfEmpty()
            join dr in db.Drivers on d.DriverId equals dr.Id into drivers
            from dr in drivers.DefaultIfEmpty()
            join p in db.LatestPositions on d.TruckId equals p.TruckId into latest
            from p in latest.DefaultIfEmpty()
            select new { d.Id, d.CustomerName, d.Status, d.ClosedAt, TruckId = t == null ? null : t.Id, Name = t == null ? null : t.Name,
                Plate = t == null ? null : t.Plate, DriverName = dr == null ? null : dr.Name, Position = p })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return null;
        var timeline = (await db.StatusEvents.AsNoTracking().Where(e => e.DeliveryId == row.Id)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken)).Select(StatusEventView.Of).ToList();
        // The truck is shown only while the delivery is open.
        var position = row.Position is null || row.ClosedAt is not null ? null : ToPosition(row.Position);
        return new TrackingView(row.Id, row.TruckId, row.Name, row.Plate, FirstName(row.DriverName), row.CustomerName,
            row.Status.ToString(), position, timeline);
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
