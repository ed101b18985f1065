using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Fleet;

/// <summary>
/// <see cref="IFleetQueries"/> in plain SQL over the engine's data source: one round trip for
/// the whole fleet (thousands of rows, no change tracking), and the trail simplified in the database
/// (<see cref="SimplifiedTrail"/>) so a truck that reported every second all day does not ship
/// 30,000 points to the browser.
/// </summary>
/// <param name="trails">What counts as a stop on a trail (the defaults when null).</param>
public sealed class PostgresFleetQueries(NpgsqlDataSource dataSource, IOptions<TrailOptions>? trails = null) : IFleetQueries
{
    private readonly TrailOptions _trails = trails?.Value ?? new TrailOptions();

    // The delivery a dispatcher cares about: one under way before one merely scheduled, newest first.
    // The driver: the delivery's, else the one most recently given this truck.
    private const string ListSql = """
        SELECT t.id, t.name, t.plate,
               d.id, d.customer_name, d.status,
               COALESCE(
                   (SELECT dr.name FROM drivers dr WHERE dr.id = d.driver_id),
                   (SELECT dr.name FROM drivers dr WHERE dr.truck_id = t.id ORDER BY dr.created_at DESC LIMIT 1)),
               ST_Y(p.location), ST_X(p.location), p.recorded_at, p.received_at,
               p.speed_mps, p.heading_degrees, p.accuracy_meters
        FROM trucks t
        LEFT JOIN LATERAL (
            SELECT x.id, x.customer_name, x.status, x.driver_id
            FROM deliveries x
            WHERE x.truck_id = t.id AND x.status NOT IN ('Delivered', 'Cancelled', 'Failed')
            ORDER BY x.status IN ('PickedUp', 'InTransit', 'Arrived') DESC, x.created_at DESC
            LIMIT 1) d ON true
        LEFT JOIN latest_positions p ON p.truck_id = t.id
        ORDER BY t.id
        """;

    public async Task<IReadOnlyList<FleetTruck>> ListTrucksAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ListSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var trucks = new List<FleetTruck>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var truckId = reader.GetString(0);
            var delivery = reader.IsDBNull(3) ? null
                : new CurrentDelivery(reader.GetGuid(3), reader.GetString(4), StatusOf(reader.GetString(5)));
            var position = reader.IsDBNull(7) ? null
                : new TruckPosition(truckId, reader.GetDouble(7), reader.GetDouble(8),
                    reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10),
                    NullableDouble(reader, 11), NullableDouble(reader, 12), NullableDouble(reader, 13));
            trucks.Add(new FleetTruck(truckId, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(6) ? null : reader.GetString(6), delivery, position));
        }
        return trucks;
    }

    public async Task<IReadOnlyList<TrailPoint>> GetTrailAsync(string truckId, DateTimeOffset since, int maxPoints,
        CancellationToken cancellationToken)
    {
        var (fixes, _) = await SimplifiedTrail.ReadAsync(dataSource, truckId, since, null, maxPoints, _trails, cancellationToken);
        return fixes.ConvertAll(f => new TrailPoint(f.Latitude, f.Longitude, f.RecordedAt));
    }

    /// <summary>
    /// deliveries.status is text that EF writes from the enum's names. Only an exact name is taken
    /// (Enum.TryParse alone would also take "4" or " intransit"); anything else is a fault, said plainly.
    /// </summary>
    internal static DeliveryStatus StatusOf(string text) =>
        Enum.TryParse<DeliveryStatus>(text, out var status) && status.ToString() == text
            ? status
            : throw new InvalidDataException($"deliveries.status holds '{text}', which is not a {nameof(DeliveryStatus)}.");

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
