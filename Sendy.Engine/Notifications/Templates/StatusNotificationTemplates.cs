using Sendy.Engine.Deliveries;
using System.Net;
using System.Text;

namespace Sendy.Engine.Notifications.Templates;

/// <summary>
/// Renders a status change into email subject, HTML and text bodies, and an SMS text, in Korean or
/// English. Templates are code, not files: nine statuses times two languages is small, and the
/// compiler checks every case. Every caller-supplied value is HTML-encoded in the HTML body.
/// </summary>
public sealed class StatusNotificationTemplates
{
    public RenderedNotification Render(StatusChangeNotice notice, NotificationLanguage language)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentException.ThrowIfNullOrWhiteSpace(notice.DeliveryShortId);
        // Only http(s) may become an href: a "javascript:" link in an email is an attack, not a typo.
        if (!notice.TrackingLink.IsAbsoluteUri || notice.TrackingLink.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The tracking link must be an absolute http(s) URL; got '{notice.TrackingLink}'.", nameof(notice));
        }

        StatusTexts status = StatusTexts.For(notice.Status, language);
        FrameTexts frame = FrameTexts.For(language);
        string customer = string.IsNullOrWhiteSpace(notice.CustomerName) ? (language == NotificationLanguage.Korean ? "고객" : "customer") : notice.CustomerName.Trim();
        string link = notice.TrackingLink.AbsoluteUri;
        string linkLabel = IsActive(notice.Status) ? frame.TrackLive : frame.ViewDelivery;
        string subject = $"[Sendy] {frame.SubjectPrefix(notice.DeliveryShortId)}: {status.Label}";

        var details = new List<(string Label, string Value)>(3);
        if (!string.IsNullOrWhiteSpace(notice.DriverFirstName))
        {
            details.Add((frame.DriverLabel, frame.DriverName(notice.DriverFirstName.Trim())));
        }

        if (!string.IsNullOrWhiteSpace(notice.TruckPlate))
        {
            details.Add((frame.TruckLabel, notice.TruckPlate.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(notice.Reason))
        {
            details.Add((frame.ReasonLabel, notice.Reason.Trim()));
        }

        var text = new StringBuilder(512);
        text.Append(frame.Greeting(customer)).Append("\n\n")
            .Append(status.Headline).Append('\n')
            .Append(frame.SubjectPrefix(notice.DeliveryShortId)).Append(": ").Append(status.Label).Append('\n');
        foreach ((string label, string value) in details)
        {
            text.Append(label).Append(": ").Append(value).Append('\n');
        }

        text.Append('\n').Append(linkLabel).Append(": ").Append(link).Append("\n\n").Append(frame.Footer).Append('\n');

        string sms = $"[Sendy] {frame.SubjectPrefix(notice.DeliveryShortId)}: {status.Label}. {link}";
        return new RenderedNotification(subject, Html(frame, status, customer, notice.DeliveryShortId, details, link, linkLabel, subject), text.ToString(), sms);
    }

    public static bool IsActive(DeliveryStatus status) =>
        status is not (DeliveryStatus.Delivered or DeliveryStatus.Cancelled or DeliveryStatus.Failed);

    private static string Html(
        FrameTexts frame,
        StatusTexts status,
        string customer,
        string shortId,
        List<(string Label, string Value)> details,
        string link,
        string linkLabel,
        string subject)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);

        var html = new StringBuilder(2048);
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(frame.HtmlLang).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(subject)).Append("</title>\n</head>\n")
            .Append("<body style=\"margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI','Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#1f2328\">\n")
            .Append("<div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px\">\n")
            .Append("<p style=\"margin:0 0 16px\">").Append(E(frame.Greeting(customer))).Append("</p>\n")
            .Append("<h1 style=\"font-size:20px;margin:0 0 8px\">").Append(E(status.Headline)).Append("</h1>\n")
            .Append("<p style=\"margin:0 0 16px;color:#57606a\">").Append(E(frame.SubjectPrefix(shortId))).Append(" &middot; <strong>")
            .Append(E(status.Label)).Append("</strong></p>\n");
        if (details.Count > 0)
        {
            html.Append("<table role=\"presentation\" style=\"border-collapse:collapse;margin:0 0 16px\">\n");
            foreach ((string label, string value) in details)
            {
                html.Append("<tr><td style=\"padding:2px 12px 2px 0;color:#57606a\">").Append(E(label))
                    .Append("</td><td style=\"padding:2px 0\">").Append(E(value)).Append("</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("<p style=\"margin:24px 0\"><a href=\"").Append(E(link))
            .Append("\" style=\"background:#0b5cff;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none\">")
            .Append(E(linkLabel)).Append("</a></p>\n")
            .Append("<p style=\"margin:0;font-size:12px;color:#8c959f\">").Append(E(frame.Footer)).Append("</p>\n")
            .Append("</div>\n</body>\n</html>\n");
        return html.ToString();
    }
}
