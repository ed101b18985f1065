using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Notifications;

/// <summary>
/// Which channels are switched on (the adapters' own Enabled flags) and apply to a delivery: SMS
/// needs a phone number, email an address, and each the delivery's own choice of channels (the shipper's default). Read when the status event is written.
/// </summary>
public sealed class NotificationChannels(IOptionsMonitor<SnsOptions> sns, IOptionsMonitor<SmtpOptions> smtp, IOptionsMonitor<OpenSearchOptions> search)
{
    public bool IsEnabled(string channel) => channel switch
    {
        NotificationChannel.SnsTopic => sns.CurrentValue.Enabled,
        NotificationChannel.Sms => sns.CurrentValue.Enabled && sns.CurrentValue.SmsEnabled,
        NotificationChannel.Email => smtp.CurrentValue.Enabled,
        NotificationChannel.SearchIndex => search.CurrentValue.Enabled,
        _ => false,
    };

    public IEnumerable<string> For(Delivery delivery) => NotificationChannel.All.Where(c => IsEnabled(c) && c switch
    {
        NotificationChannel.Sms => !string.IsNullOrWhiteSpace(delivery.CustomerPhone) && delivery.NotifyBy.Contains(Deliveries.RecipientChannel.Sms),
        NotificationChannel.Email => !string.IsNullOrWhiteSpace(delivery.CustomerEmail) && delivery.NotifyBy.Contains(Deliveries.RecipientChannel.Email),
        _ => true,
    });
}
