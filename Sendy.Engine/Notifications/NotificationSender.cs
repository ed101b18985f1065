using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Notifications.Templates;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Notifications;

/// <summary>Renders and sends one channel's notification for a status event. Returns what to record (message id, or why nothing went).</summary>
public sealed class NotificationSender(
    NotificationChannels channels,
    ISnsPublisher sns,
    IOptionsMonitor<SnsOptions> snsOptions,
    IEmailSender email,
    StatusNotificationTemplates templates,
    IBulkIndexer search,
    IOptionsMonitor<OpenSearchOptions> searchOptions,
    TrackingLinks links)
{
    public async Task<string> SendAsync(SendyDbContext db, OutboxMessage row, CancellationToken cancellationToken)
    {
        if (!channels.IsEnabled(row.Channel)) return "skipped: channel switched off";
        var ev = await db.StatusEvents.AsNoTracking().SingleAsync(e => e.Id == row.StatusEventId, cancellationToken);
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == row.DeliveryId, cancellationToken);
        var plate = delivery.TruckId is null ? null
            : await db.Trucks.Where(t => t.Id == delivery.TruckId).Select(t => t.Plate).FirstOrDefaultAsync(cancellationToken);
        var driver = delivery.DriverId is null ? null
            : await db.Drivers.Where(d => d.Id == delivery.DriverId).Select(d => d.Name).FirstOrDefaultAsync(cancellationToken);
        var language = NotificationLanguages.FromTag(delivery.Locale);
        // The link only where a message carries it: a link that cannot be recovered fails the job
        // (logged and counted by TrackingLinks) rather than sending a wrong one, and never blocks indexing.
        // The reason (cancellation, failure) is the customer's to read; a note is staff's and stays
        // in the status log and the search index.
        StatusChangeNotice Notice() => new(delivery.CustomerName, ShortId(delivery.Id), ev.ToStatus,
            links.LinkFor(delivery.Id, delivery.TrackingTokenProtected), ev.Reason, plate, driver?.Trim().Split(' ', 2)[0]);
        var key = $"status-event:{ev.Id:N}:{row.Channel}";

        switch (row.Channel)
        {
            case NotificationChannel.SnsTopic:
            {
                var notice = Notice();
                var rendered = templates.Render(notice, language);
                var attributes = new Dictionary<string, string>
                {
                    ["status"] = ev.ToStatus.ToString(), ["deliveryId"] = delivery.Id.ToString(), ["locale"] = delivery.Locale,
                    ["eventId"] = ev.Id.ToString(),
                };
                return "sns:" + await sns.PublishToTopicAsync(snsOptions.CurrentValue.TopicArn!, $"Sendy delivery {notice.DeliveryShortId}",
                    rendered.TextBody, attributes, cancellationToken);
            }
            case NotificationChannel.Sms:
                if (string.IsNullOrWhiteSpace(delivery.CustomerPhone)) return "skipped: no phone number";
                return "sms:" + await sns.SendSmsAsync(delivery.CustomerPhone, templates.Render(Notice(), language).SmsText, cancellationToken);
            case NotificationChannel.Email:
            {
                if (string.IsNullOrWhiteSpace(delivery.CustomerEmail)) return "skipped: no email address";
                var rendered = templates.Render(Notice(), language);
                return "email:" + await email.SendAsync(new EmailMessage(delivery.CustomerEmail, delivery.CustomerName, rendered.Subject,
                    rendered.HtmlBody, rendered.TextBody, key), cancellationToken);
            }
            case NotificationChannel.SearchIndex:
            {
                var doc = new StatusEventDocument(ev.Id.ToString(), delivery.Id.ToString(), ShortId(delivery.Id), delivery.TruckId,
                    ev.ToStatus.ToString(), ev.OccurredAt, ev.Note ?? ev.Reason, $"{ev.ActorKind}:{ev.ActorId}".ToLowerInvariant());
                var result = await search.IndexAsync([BulkDocument.Create(searchOptions.CurrentValue.StatusEventsIndex, doc.EventId, doc)], cancellationToken);
                if (result.Rejected is [var rejected, ..])
                    throw new SearchRejectedException($"status event {ev.Id} refused: {rejected.Reason}", rejected.ErrorType);
                if (result.StillRetryable.Count > 0)
                    throw new SearchTransientException($"status event {ev.Id} still refused after the bulk retries; the job retries later");
                return "indexed:" + doc.EventId;
            }
            default:
                return "skipped: unknown channel";
        }
    }

    /// <summary>What customers and dispatchers read aloud: "D-" + the first 8 hex digits of the id's random tail.</summary>
    public static string ShortId(Guid id) => "D-" + id.ToString("N")[^8..].ToUpper(CultureInfo.InvariantCulture);
}
