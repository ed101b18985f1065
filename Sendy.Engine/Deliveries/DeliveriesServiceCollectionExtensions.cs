using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.KeyRing;
using Sendy.Engine.Nodes;
using Sendy.Engine.Notifications;

namespace Sendy.Engine.Deliveries;

public static class DeliveriesServiceCollectionExtensions
{
    /// <summary>Deliveries: booking, the status service, queries, live status (in process + LISTEN/NOTIFY), geofences.</summary>
    public static IServiceCollection AddSendyDeliveries(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<DeliveryOptions>(configuration, DeliveryOptions.Section);
        services.AddValidatedOptions<PublicLinkOptions>(configuration, PublicLinkOptions.Section);
        services.AddSendyNode();
        services.AddSendyKeyRing(configuration);
        services.AddMetrics();
        services.AddSingleton<TrackingLinks>();
        services.AddSingleton<NotificationChannels>();
        services.AddSingleton<StatusFanout>();
        services.AddForwarded<IDeliveryStatusFeed, StatusFanout>();
        services.AddForwarded<IDeliveryStatusPublisher, StatusFanout>();
        services.AddForwarded<IAllDeliveriesStatusFeed, StatusFanout>();
        services.AddSingleton<Integrations.Webhooks.WebhookOutbox>();
        services.AddSingleton<DeliveryStatusService>();
        services.AddSingleton<Shippers.ShipperRegistry>();
        services.AddSingleton<DeliveryBookingService>();
        services.AddSingleton<DeliveryQueries>();
        services.AddSingleton<DispatchBoardQueries>();
        services.AddSingleton<IDeliveryLogQueries, DeliveryLogQueries>();
        services.AddSingleton<IDeliveryHistoryQueries, DeliveryHistoryQueries>();
        services.AddHostedSingleton<StatusRelay>();
        services.AddHostedSingleton<IdempotencyKeyCleanup>();
        services.AddSingleton<Eta.EtaAnnouncer>();
        services.AddHostedSingleton<Eta.EtaUpdater>();
        services.AddSingleton<ShareLinks.ShareLinkService>();
        services.AddSingleton<GeofenceWatcher>();
        if (options.GeofenceEnabled)
            services.AddHostedService(sp => sp.GetRequiredService<GeofenceWatcher>());
        return services;
    }
}
