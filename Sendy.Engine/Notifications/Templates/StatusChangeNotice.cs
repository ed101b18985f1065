using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Notifications.Templates;

public enum NotificationLanguage
{
    English,
    Korean,
}

public static class NotificationLanguages
{
    /// <summary>"ko", "ko-KR", "ko_KR" → Korean; anything else (or nothing) → English.</summary>
    public static NotificationLanguage FromTag(string? languageTag) =>
        languageTag is not null && (languageTag.Equals("ko", StringComparison.OrdinalIgnoreCase)
            || languageTag.StartsWith("ko-", StringComparison.OrdinalIgnoreCase)
            || languageTag.StartsWith("ko_", StringComparison.OrdinalIgnoreCase))
            ? NotificationLanguage.Korean
            : NotificationLanguage.English;
}

/// <summary>What a status notification says. Every text is plain (the renderer encodes for HTML).</summary>
/// <param name="TrackingLink">Absolute http(s) URL of the customer's tracking page.</param>
/// <param name="Reason">Why (cancellation, failure); optional. Never an internal note.</param>
public sealed record StatusChangeNotice(
    string CustomerName,
    string DeliveryShortId,
    DeliveryStatus Status,
    Uri TrackingLink,
    string? Reason = null,
    string? TruckPlate = null,
    string? DriverFirstName = null);

/// <summary>A rendered notification: email subject and bodies, and a short SMS text.</summary>
public sealed record RenderedNotification(string Subject, string HtmlBody, string TextBody, string SmsText);
