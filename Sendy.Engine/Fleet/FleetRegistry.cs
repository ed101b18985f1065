using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Security;
using Sendy.Engine.Storage;
using Sendy.Engine.Trackers;

namespace Sendy.Engine.Fleet;

/// <summary>A token shown once: the caller hands it to its owner; only its hash is stored.</summary>
public sealed record IssuedToken<T>(T Entity, string Token);

/// <summary>Creates trucks, drivers (with driver tokens) and deliveries (with tracking tokens).</summary>
public sealed class FleetRegistry(IDbContextFactory<SendyDbContext> contexts, TrackingLinks links, TimeProvider time)
{
    public async Task<Truck> EnsureTruckAsync(string id, string name, string? plate, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var truck = await db.Trucks.FindAsync([id], cancellationToken);
        if (truck is not null) return truck;
        truck = new Truck { Id = id, Name = name, Plate = plate, CreatedAt = time.GetUtcNow() };
        db.Trucks.Add(truck);
        await db.SaveChangesAsync(cancellationToken);
        return truck;
    }

    public async Task<IssuedToken<Driver>> CreateDriverAsync(string name, string truckId, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        var driver = new Driver
        {
            Id = Guid.NewGuid(), Name = name, TruckId = truckId, TokenHash = AccessTokens.Hash(token), CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Drivers.Add(driver);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedToken<Driver>(driver, token);
    }

    /// <summary>Issues a new token for an existing driver; the old one stops working.</summary>
    public async Task<string> RotateDriverTokenAsync(Guid driverId, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Drivers.Where(d => d.Id == driverId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.TokenHash, AccessTokens.Hash(token)), cancellationToken);
        if (updated == 0) throw new KeyNotFoundException($"driver {driverId} not found");
        return token;
    }

    /// <summary>A bare delivery already in <paramref name="status"/> (tests, demo); dispatchers book through DeliveryBookingService.</summary>
    public async Task<IssuedToken<Delivery>> CreateDeliveryAsync(string truckId, Guid? driverId, string customerName,
        DeliveryStatus status, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        var delivery = new Delivery
        {
            Id = Guid.NewGuid(), TruckId = truckId, DriverId = driverId, CustomerName = customerName, Status = status,
            TrackingTokenHash = AccessTokens.Hash(token), TrackingTokenProtected = links.Protect(token),
            CreatedAt = time.GetUtcNow(), StatusChangedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Deliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedToken<Delivery>(delivery, token);
    }

    /// <summary>Issues a new tracking token for an existing delivery; the old link stops working.</summary>
    public async Task<string> RotateTrackingTokenAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        var token = AccessTokens.Create();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Deliveries.Where(d => d.Id == deliveryId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.TrackingTokenHash, AccessTokens.Hash(token))
                .SetProperty(d => d.TrackingTokenProtected, links.Protect(token)), cancellationToken);
        if (updated == 0) throw new KeyNotFoundException($"delivery {deliveryId} not found");
        return token;
    }

    /// <summary>
    /// Issues a new tracker device id for the truck (shown once; the old id stops at once, on every
    /// node); null when the truck does not exist.
    /// </summary>
    public async Task<string?> IssueDeviceIdAsync(string truckId, CancellationToken cancellationToken)
    {
        var deviceId = TrackerIds.Create();
        return await SetDeviceIdHashAsync(truckId, TrackerIds.Hash(deviceId), legacy: false, cancellationToken) ? deviceId : null;
    }

    /// <summary>An id an admin typed (already checked by FleetAdmin); throws on a unique violation when another truck has it.</summary>
    public Task<bool> SetLegacyDeviceIdAsync(string truckId, string deviceId, CancellationToken cancellationToken) =>
        SetDeviceIdHashAsync(truckId, TrackerIds.Hash(deviceId), legacy: true, cancellationToken);

    public Task<bool> ClearDeviceIdAsync(string truckId, CancellationToken cancellationToken) =>
        SetDeviceIdHashAsync(truckId, null, legacy: false, cancellationToken);

    private async Task<bool> SetDeviceIdHashAsync(string truckId, byte[]? hash, bool legacy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        DateTimeOffset? setAt = hash is null ? null : time.GetUtcNow();
        var updated = await db.Trucks.Where(t => t.Id == truckId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DeviceIdHash, hash).SetProperty(t => t.DeviceIdLegacy, legacy)
                .SetProperty(t => t.DeviceIdSetAt, setAt), cancellationToken);
        return updated == 1;
    }
}
