using System.Globalization;
using Sendy.Console.Operations;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>Times on the customer's page, in the operations time zone (whichever language the page is in).</summary>
internal static class TrackClock
{
    // Static so the customer page stays lean: set once at start from OperationsClock (UseSendyConsole).
    private static TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(OperationsOptions.DefaultTimeZone);

    public static TimeZoneInfo Zone => _zone;

    public static void Use(OperationsClock clock) => _zone = clock.Zone;

    /// <summary>"14:35" today, "03-15 14:35" on another day.</summary>
    public static string Time(DateTimeOffset at, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, _zone);
        return local.Date == TimeZoneInfo.ConvertTime(now, _zone).Date
            ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>"03-14 14:35".</summary>
    public static string DateTime(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, _zone).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The device's clock may run ahead; never claim a fix is newer than when we received it.</summary>
    public static DateTimeOffset TakenAt(TruckPosition position) =>
        position.RecordedAt < position.ReceivedAt ? position.RecordedAt : position.ReceivedAt;
}
