namespace Sendy.Engine.Tracking;

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
