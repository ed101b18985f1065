using System.Globalization;

namespace Sendy.Engine.Tracking;

/// <summary>
/// The culture a subscriber had when it subscribed. Live handlers run on the thread pool, started
/// by whoever published (the consumer, or another user's request), so without this a Korean
/// customer's page would re-render in the publisher's language.
/// </summary>
public readonly record struct SubscriberCulture(CultureInfo Culture, CultureInfo UICulture)
{
    public static SubscriberCulture Capture() => new(CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);

    /// <summary>Sets the culture for the rest of the calling async flow (a handler's own work item).</summary>
    public void Apply()
    {
        CultureInfo.CurrentCulture = Culture;
        CultureInfo.CurrentUICulture = UICulture;
    }
}
