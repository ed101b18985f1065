using System.Globalization;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>Times on the customer's page: Korean time (the deliveries are in Korea, whichever language the page is in).</summary>
internal static class TrackClock
{
    private static readonly TimeZoneInfo Korea = TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Seoul", out var tz) ? tz : TimeZoneInfo.Utc;

    /// <summary>"14:35" today, "03-15 14:35" on another day.</summary>
    public static string Time(DateTimeOffset at, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, Korea);
        return local.Date == TimeZoneInfo.ConvertTime(now, Korea).Date
            ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>"03-14 14:35".</summary>
    public static string DateTime(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Korea).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The device's clock may run ahead; never claim a fix is newer than when we received it.</summary>
    public static DateTimeOffset TakenAt(TruckPosition position) =>
        position.RecordedAt < position.ReceivedAt ? position.RecordedAt : position.ReceivedAt;
}
