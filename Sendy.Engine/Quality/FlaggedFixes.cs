using Npgsql;

namespace Sendy.Engine.Quality;

/// <summary>How many fixes of a truck were flagged lately, and the newest reason.</summary>
public sealed record FlaggedFixSummary(string TruckId, long Count, string LastReason);

/// <summary>What admins see of fix quality: flagged fixes per truck (the partial index <c>ix_positions_flagged</c> holds only those).</summary>
public sealed class FlaggedFixes(NpgsqlDataSource dataSource)
{
    private const string Summary = """
        SELECT truck_id, count(*), (array_agg(quality_flag ORDER BY recorded_at DESC))[1]
        FROM positions
        WHERE quality_flag IS NOT NULL AND recorded_at >= $1
        GROUP BY truck_id
        """;

    /// <summary>Per truck, the fixes taken since <paramref name="since"/> (device time) that were flagged.</summary>
    public async Task<IReadOnlyDictionary<string, FlaggedFixSummary>> SinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(Summary);
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var byTruck = new Dictionary<string, FlaggedFixSummary>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            byTruck[reader.GetString(0)] = new FlaggedFixSummary(reader.GetString(0), reader.GetInt64(1), reader.GetString(2));
        return byTruck;
    }
}
