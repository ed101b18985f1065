using System.Globalization;
using Sendy.Console.Operations;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// Times on the delivery pages, in the operations time zone (the same "today" as the dispatcher
/// map): shown as "MM-dd HH:mm", entered as a date and time of day in that zone.
/// </summary>
public sealed class DeliveriesTimes(OperationsClock clock)
{
    /// <summary>The zone's id, for the "Times in …" hint.</summary>
    public string ZoneId => clock.ZoneId;

    /// <summary>Midnight today in the operations zone.</summary>
    public DateTimeOffset StartOfToday => clock.StartOfToday;

    public string Format(DateTimeOffset? at) =>
        at is { } value ? clock.ToLocal(value).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : "–";

    /// <summary>A date and time of day in the zone as an instant; no date means today there.</summary>
    public DateTimeOffset ToInstant(DateTime? date, TimeSpan timeOfDay) =>
        clock.AtLocal((date?.Date ?? clock.Today.ToDateTime(TimeOnly.MinValue)) + timeOfDay);
}
