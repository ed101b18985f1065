namespace Sendy.Console.Operations;

/// <summary>
/// Now and the calendar in the operations time zone (<see cref="OperationsOptions"/>). Now comes
/// from <see cref="TimeProvider"/>; only the zone is ours, so the server's own zone never shows.
/// </summary>
public sealed class OperationsClock
{
    private readonly TimeProvider _time;

    public OperationsClock(TimeProvider time, Microsoft.Extensions.Options.IOptions<OperationsOptions> options)
    {
        _time = time;
        ZoneId = options.Value.TimeZone;
        Zone = TimeZoneInfo.FindSystemTimeZoneById(ZoneId);
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The configured id ("Asia/Seoul"), for saying which zone the times are in.</summary>
    public string ZoneId { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The same instant with the zone's offset: its date and time are what a person there reads.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    public DateOnly Today => DateOnly.FromDateTime(ToLocal(Now).DateTime);

    /// <summary>Midnight today in the zone.</summary>
    public DateTimeOffset StartOfToday => StartOf(Today);

    /// <summary>Midnight at the start of <paramref name="day"/> in the zone.</summary>
    public DateTimeOffset StartOf(DateOnly day) => AtLocal(day.ToDateTime(TimeOnly.MinValue));

    /// <summary>Whole days <paramref name="first"/> to <paramref name="last"/> (both included) as [from, to).</summary>
    public (DateTimeOffset From, DateTimeOffset To) Days(DateOnly first, DateOnly last) => (StartOf(first), StartOf(last.AddDays(1)));

    /// <summary>
    /// A wall-clock time in the zone as an instant (a time in a DST gap moves forward by the gap).
    /// In UTC: PostgreSQL's timestamptz parameters take offset zero only.
    /// </summary>
    public DateTimeOffset AtLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }
}
