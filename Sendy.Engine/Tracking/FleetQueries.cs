namespace Sendy.Engine.Tracking;

/// <summary>The delivery a truck is on now: the newest one not delivered or cancelled.</summary>
public sealed record CurrentDelivery(Guid Id, string CustomerName, string Status);

/// <summary>One truck as the dispatcher map lists it.</summary>
public sealed record FleetTruck(
    string TruckId,
    string Name,
    string? Plate,
    string? DriverName,
    CurrentDelivery? Delivery,
    TruckPosition? LatestPosition);

/// <summary>One point of a truck's trail.</summary>
public readonly record struct TrailPoint(double Latitude, double Longitude, DateTimeOffset RecordedAt)
{
    /// <summary>Runs a trail query whose columns are latitude, longitude, recorded_at.</summary>
    internal static async Task<IReadOnlyList<TrailPoint>> ReadAllAsync(Npgsql.NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<TrailPoint>();
        while (await reader.ReadAsync(cancellationToken))
            points.Add(new TrailPoint(reader.GetDouble(0), reader.GetDouble(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return points;
    }
}

/// <summary>Read side for the dispatcher map: the whole fleet, and one truck's recent path.</summary>
public interface IFleetQueries
{
    /// <summary>Every truck, with its driver, current delivery and latest position (if any), ordered by id.</summary>
    Task<IReadOnlyList<FleetTruck>> ListTrucksAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The truck's positions recorded at or after <paramref name="since"/>, oldest first, thinned
    /// evenly to at most <paramref name="maxPoints"/> (the first and newest point always kept).
    /// </summary>
    Task<IReadOnlyList<TrailPoint>> GetTrailAsync(string truckId, DateTimeOffset since, int maxPoints, CancellationToken cancellationToken);
}
