using System.Globalization;
using Npgsql;

namespace Sendy.Engine.History;

/// <summary>
/// The daily partitions of <c>positions</c>: range partitions on device time, one per UTC day,
/// named <c>positions_YYYYMMDD</c>, and <c>positions_default</c> for fixes whose day has none
/// (too old, too far ahead, or already dropped): PostgreSQL routes those there, so a COPY never
/// fails for want of a partition, and <see cref="PartitionMaintainer"/> moves them into their day's
/// partition once it has one. This node's view of which days exist is cached and read again, at
/// most every <see cref="RefreshAfter"/>, when a fix's day is not in it.
/// </summary>
public sealed class PositionPartitions(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Parent = "positions";
    public const string Default = "positions_default";

    /// <summary>A day missing from the cached view is looked up again at most this often.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    private const string ReadDays = """
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'positions'::regclass
        """;

    private volatile HashSet<DateOnly>? _days;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private readonly SemaphoreSlim _reading = new(1, 1);

    public static string NameOf(DateOnly day) => "positions_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The UTC day a device time falls in (the partition key's day).</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>The first instant of <paramref name="day"/> (UTC): a partition's lower bound, the previous day's upper one.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The day a partition's name stands for, or null for <c>positions_default</c> and anything else.</summary>
    public static DateOnly? DayOfName(string name) =>
        name.StartsWith("positions_", StringComparison.Ordinal)
        && DateOnly.TryParseExact(name["positions_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day : null;

    /// <summary>Of <paramref name="days"/>, those without a partition (their fixes go to <c>positions_default</c>).</summary>
    public async Task<IReadOnlyCollection<DateOnly>> MissingAsync(IReadOnlyCollection<DateOnly> days, CancellationToken cancellationToken)
    {
        var known = _days;
        if (known is not null && days.All(known.Contains)) return [];
        if (known is null || time.GetUtcNow() - _readAt >= RefreshAfter) known = await RefreshAsync(cancellationToken);
        return [.. days.Where(d => !known.Contains(d))];
    }

    /// <summary>Reads which days have a partition now.</summary>
    public async Task<HashSet<DateOnly>> RefreshAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var days = new HashSet<DateOnly>();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand(ReadDays, connection);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                if (DayOfName(reader.GetString(0)) is { } day) days.Add(day);
            _days = days;
            _readAt = time.GetUtcNow();
            return days;
        }
        finally
        {
            _reading.Release();
        }
    }
}
