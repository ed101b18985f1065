using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sendy.Engine.Ingest;
using Sendy.Engine.Storage;
using Sendy.Engine.Trackers;

namespace Sendy.Engine.Fleet;

/// <summary>A truck's editable fields, as an admin typed them (trimmed here).</summary>
public sealed record TruckInput(string? Name, string? Plate);

/// <summary>
/// An admin's changes to trucks and drivers: validated, and every refusal (bad input, a taken id
/// or device, a missing row) is a <see cref="FleetProblem"/>, never an exception. Unique and
/// foreign-key violations are read from PostgreSQL so two admins racing get the same answer.
/// </summary>
public sealed class FleetAdmin(
    IDbContextFactory<SendyDbContext> contexts, FleetRegistry registry, DriverTokenCache drivers, TimeProvider time)
{
    private const string UniqueViolation = "23505";
    private const string ForeignKeyViolation = "23503";
    private const string TruckKey = "pk_trucks";

    public async Task<FleetResult<Truck>> CreateTruckAsync(string? id, TruckInput input, CancellationToken cancellationToken)
    {
        id = id?.Trim();
        var (name, plate) = Clean(input);
        var problems = FleetRules.CheckTruckId(id);
        problems.AddRange(FleetRules.CheckTruck(name, plate));
        if (problems.Count > 0) return FleetResult<Truck>.Refused([.. problems]);

        var truck = new Truck { Id = id!, Name = name!, Plate = plate, CreatedAt = time.GetUtcNow() };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Trucks.Add(truck);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Violation(ex, UniqueViolation) == TruckKey)
        {
            return FleetResult<Truck>.Refused(new FleetProblem("id", FleetError.TruckIdTaken));
        }
        return FleetResult<Truck>.Ok(truck);
    }

    /// <summary>Name and plate (the tracker id has its own actions below).</summary>
    public async Task<FleetResult<Truck>> UpdateTruckAsync(string truckId, TruckInput input, CancellationToken cancellationToken)
    {
        var (name, plate) = Clean(input);
        var problems = FleetRules.CheckTruck(name, plate);
        if (problems.Count > 0) return FleetResult<Truck>.Refused([.. problems]);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var truck = await db.Trucks.FindAsync([truckId], cancellationToken);
        if (truck is null) return FleetResult<Truck>.Refused(new FleetProblem("", FleetError.UnknownTruck));
        (truck.Name, truck.Plate) = (name!, plate);
        await db.SaveChangesAsync(cancellationToken);
        return FleetResult<Truck>.Ok(truck);
    }

    /// <summary>A new tracker device id for the truck, to show once (with its QR code); the old id stops at once.</summary>
    public async Task<FleetResult<string>> IssueTrackerIdAsync(string truckId, CancellationToken cancellationToken) =>
        await registry.IssueDeviceIdAsync(truckId, cancellationToken) is { } deviceId
            ? FleetResult<string>.Ok(deviceId)
            : FleetResult<string>.Refused(new FleetProblem("", FleetError.UnknownTruck));

    /// <summary>
    /// An id the admin typed, for a tracker that cannot take an issued one: marked legacy (guessable,
    /// so the fleet page warns about it).
    /// </summary>
    public async Task<FleetResult<string>> SetLegacyTrackerIdAsync(string truckId, string? deviceId, CancellationToken cancellationToken)
    {
        deviceId = deviceId?.Trim();
        if (string.IsNullOrEmpty(deviceId)) return FleetResult<string>.Refused(new FleetProblem("deviceId", FleetError.Required));
        if (deviceId.Length > FleetRules.MaxDeviceId)
            return FleetResult<string>.Refused(new FleetProblem("deviceId", FleetError.TooLong, FleetRules.MaxDeviceId));
        if (!TrackerIds.IsAcceptableLegacy(deviceId)) return FleetResult<string>.Refused(new FleetProblem("deviceId", FleetError.BadDeviceId));
        try
        {
            if (!await registry.SetLegacyDeviceIdAsync(truckId, deviceId, cancellationToken))
                return FleetResult<string>.Refused(new FleetProblem("", FleetError.UnknownTruck));
        }
        catch (DbUpdateException ex) when (Violation(ex, UniqueViolation) is not null)
        {
            return await DeviceTakenAsync<string>(deviceId, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            return await DeviceTakenAsync<string>(deviceId, cancellationToken);
        }
        return FleetResult<string>.Ok(deviceId);
    }

    /// <summary>The truck has no tracker any more; its old id stops at once.</summary>
    public async Task<FleetResult<bool>> RemoveTrackerIdAsync(string truckId, CancellationToken cancellationToken) =>
        await registry.ClearDeviceIdAsync(truckId, cancellationToken)
            ? FleetResult<bool>.Ok(true)
            : FleetResult<bool>.Refused(new FleetProblem("", FleetError.UnknownTruck));

    /// <summary>A new driver on a truck, with their driver token (shown once).</summary>
    public async Task<FleetResult<IssuedToken<Driver>>> CreateDriverAsync(string? name, string? truckId, CancellationToken cancellationToken)
    {
        name = name?.Trim();
        var problems = FleetRules.CheckDriverName(name);
        if (string.IsNullOrWhiteSpace(truckId)) problems.Add(new("truckId", FleetError.Required));
        if (problems.Count > 0) return FleetResult<IssuedToken<Driver>>.Refused([.. problems]);
        try
        {
            return FleetResult<IssuedToken<Driver>>.Ok(await registry.CreateDriverAsync(name!, truckId!, cancellationToken));
        }
        catch (DbUpdateException ex) when (Violation(ex, ForeignKeyViolation) is not null)
        {
            return FleetResult<IssuedToken<Driver>>.Refused(new FleetProblem("truckId", FleetError.UnknownTruck));
        }
    }

    /// <summary>Moves a driver to another truck, unless a delivery of theirs is still open.</summary>
    public async Task<FleetResult<Driver>> ReassignDriverAsync(Guid driverId, string? truckId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(truckId)) return FleetResult<Driver>.Refused(new FleetProblem("truckId", FleetError.Required));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var driver = await db.Drivers.FindAsync([driverId], cancellationToken);
        if (driver is null) return FleetResult<Driver>.Refused(new FleetProblem("", FleetError.UnknownDriver));
        if (driver.TruckId == truckId) return FleetResult<Driver>.Ok(driver);
        // The driver's phone would start posting for the new truck while the customer follows the old one.
        if (await db.Deliveries.AnyAsync(d => d.DriverId == driverId && d.ClosedAt == null && d.TruckId != truckId, cancellationToken))
            return FleetResult<Driver>.Refused(new FleetProblem("truckId", FleetError.DriverOnDelivery));
        driver.TruckId = truckId;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (Violation(ex, ForeignKeyViolation) is not null)
        {
            return FleetResult<Driver>.Refused(new FleetProblem("truckId", FleetError.UnknownTruck));
        }
        drivers.ForgetDriver(driverId); // its cached identity still names the old truck
        return FleetResult<Driver>.Ok(driver);
    }

    /// <summary>A new driver token; the old link stops working.</summary>
    public async Task<FleetResult<string>> IssueDriverLinkAsync(Guid driverId, CancellationToken cancellationToken)
    {
        try
        {
            var token = await registry.RotateDriverTokenAsync(driverId, cancellationToken);
            drivers.ForgetDriver(driverId); // the old token must stop working here now, not in 30 s
            return FleetResult<string>.Ok(token);
        }
        catch (KeyNotFoundException)
        {
            return FleetResult<string>.Refused(new FleetProblem("", FleetError.UnknownDriver));
        }
    }

    private static (string? Name, string? Plate) Clean(TruckInput input) => (input.Name?.Trim(), FleetRules.Clean(input.Plate));

    private async Task<FleetResult<T>> DeviceTakenAsync<T>(string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hash = TrackerIds.Hash(deviceId);
        var holder = await db.Trucks.AsNoTracking().Where(t => t.DeviceIdHash == hash).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
        return FleetResult<T>.Refused(new FleetProblem("deviceId", FleetError.DeviceIdTaken, Detail: holder));
    }

    /// <summary>The violated constraint's name when <paramref name="ex"/> is that kind of violation.</summary>
    private static string? Violation(DbUpdateException ex, string sqlState) =>
        ex.InnerException is PostgresException pg && pg.SqlState == sqlState ? pg.ConstraintName ?? "" : null;
}
