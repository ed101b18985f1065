using System.Globalization;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// Times on the delivery pages, in the console's time zone (the same "today" as the dispatcher
/// map): shown as "MM-dd HH:mm", entered as a local date and time.
/// </summary>
public sealed class DeliveriesTimes(TimeProvider time)
{
    public TimeZoneInfo Zone => time.LocalTimeZone;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Midnight today in the console's zone.</summary>
    public DateTimeOffset StartOfToday
    {
        get
        {
            var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone);
            return new DateTimeOffset(local.Date, Zone.GetUtcOffset(local.Date));
        }
    }

    public string Format(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, Zone).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : "–";

    /// <summary>A local date and time of day as an instant (an invalid local time in a DST gap moves forward by the offset).</summary>
    public DateTimeOffset ToInstant(DateTime date, TimeSpan timeOfDay)
    {
        var local = DateTime.SpecifyKind(date.Date + timeOfDay, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
