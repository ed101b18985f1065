using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Integrations.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Webhooks: endpoints, the sender (an HTTP client that connects only to allowed addresses and
    /// follows no redirect) and, when <see cref="WebhookOptions.DispatcherEnabled"/>, the dispatcher.
    /// The outbox itself is the deliveries' (it writes in their transactions).
    /// </summary>
    public static IServiceCollection AddSendyWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<WebhookOptions>(configuration, WebhookOptions.Section);
        // Plain http receivers are for development machines only.
        services.AddSingleton<IPostConfigureOptions<WebhookOptions>>(sp => new PostConfigureOptions<WebhookOptions>(null, o =>
        {
            if (sp.GetService<IHostEnvironment>()?.IsDevelopment() == true) o.AllowHttp = true;
        }));
        services.AddHttpClient(WebhookSender.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<WebhookOptions>>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are seen, and checked again at connect
                    ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context.DnsEndPoint, o.Value.IsHostAllowed, cancellationToken),
                    MaxResponseHeadersLength = 64, // KB
                    UseCookies = false,
                };
            });
        services.AddSingleton(sp => new WebhookSender(sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookSender.HttpClientName),
            sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookAlerts>();
        services.AddSingleton<WebhookEndpoints>();
        if (options.DispatcherEnabled) services.AddHostedSingleton<WebhookDispatcher>();
        else services.AddSingleton<WebhookDispatcher>();
        return services;
    }
}
