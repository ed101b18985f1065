using Microsoft.Extensions.Options;
using Npgsql;

namespace Sendy.Engine.History;

/// <summary>A day of positions held in PostgreSQL: its partition, size on disk and estimated rows (as of its last ANALYZE).</summary>
public sealed record HeldDay(DateOnly Day, string Partition, long Bytes, long EstimatedRows);

/// <summary>A day retention took out of PostgreSQL, and whether an archive holds it.</summary>
public sealed record DroppedDay(DateOnly Day, long Bytes, long EstimatedRows, DateTimeOffset DroppedAt, bool Archived);

/// <summary>What the admin's history page shows.</summary>
/// <param name="Unplaced">Fixes waiting in <c>positions_default</c> (their day has no partition yet).</param>
public sealed record PositionHistory(
    IReadOnlyList<HeldDay> Held, long Unplaced, long UnplacedBytes, IReadOnlyList<DroppedDay> Dropped, TimeSpan Retention, int DaysAhead, bool ArchiveEnabled);

/// <summary>The read side of position history for admins (a port: the page's tests give their own).</summary>
public interface IPositionHistoryQueries
{
    /// <summary>Days held, fixes waiting in the default partition, and the latest <paramref name="droppedLimit"/> days dropped.</summary>
    Task<PositionHistory> GetAsync(int droppedLimit, CancellationToken cancellationToken);
}

/// <summary>Position history read from PostgreSQL's catalog and <c>position_days_dropped</c>.</summary>
public sealed class PositionHistoryQueries(NpgsqlDataSource dataSource, IOptions<HistoryOptions> options, IOptions<Archive.ArchiveOptions> archive)
    : IPositionHistoryQueries
{
    private const string Held = """
        SELECT c.relname, pg_total_relation_size(c.oid), GREATEST(c.reltuples, 0)::bigint
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'positions'::regclass
        ORDER BY c.relname DESC
        """;

    private const string Dropped = """
        SELECT day, bytes, estimated_rows, dropped_at, archived FROM position_days_dropped ORDER BY day DESC LIMIT $1
        """;

    public async Task<PositionHistory> GetAsync(int droppedLimit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var held = new List<HeldDay>();
        long unplacedBytes = 0;
        await using (var cmd = new NpgsqlCommand(Held, connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (PositionPartitions.DayOfName(name) is { } day) held.Add(new HeldDay(day, name, reader.GetInt64(1), reader.GetInt64(2)));
                else if (name == PositionPartitions.Default) unplacedBytes = reader.GetInt64(1);
            }
        long unplaced;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM positions_default", connection))
            unplaced = (long)(await count.ExecuteScalarAsync(cancellationToken))!; // only waiting fixes: small
        var dropped = new List<DroppedDay>();
        await using (var cmd = new NpgsqlCommand(Dropped, connection) { Parameters = { new() { Value = droppedLimit } } })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                dropped.Add(new DroppedDay(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), reader.GetInt64(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4)));
        var o = options.Value;
        return new PositionHistory(held, unplaced, unplacedBytes, dropped, o.Retention, o.DaysAhead, ArchiveEnabled: archive.Value.Enabled);
    }
}
