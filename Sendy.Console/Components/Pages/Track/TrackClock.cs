using System.Globalization;
using Sendy.Console.Operations;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Track;

/// <summary>Times on the customer's page, in the operations time zone (whichever language the page is in).</summary>
internal sealed class TrackClock(OperationsClock clock)
{
    /// <summary>"14:35" today, "03-15 14:35" on another day.</summary>
    public string Time(DateTimeOffset at, DateTimeOffset now)
    {
        var local = clock.ToLocal(at);
        return local.Date == clock.ToLocal(now).Date
            ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>"03-14 14:35".</summary>
    public string DateTime(DateTimeOffset at) => clock.ToLocal(at).ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The device's clock may run ahead; never claim a fix is newer than when we received it.</summary>
    public static DateTimeOffset TakenAt(TruckPosition position) =>
        position.RecordedAt < position.ReceivedAt ? position.RecordedAt : position.ReceivedAt;
}
