using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Notifications.Sns;

public static class SnsServiceCollectionExtensions
{
    public const string SigningService = "sns";

    /// <summary>
    /// The SNS adapter: <see cref="ISnsPublisher"/> and <see cref="ISnsTopicAdmin"/> over a typed
    /// <see cref="SnsQueryClient"/> whose requests are SigV4-signed for "sns". Options from "Sendy:Sns",
    /// validated on start when Enabled. A loopback Endpoint (moto) signs with dummy credentials, anything
    /// else with AWSSDK.Core's default chain. With Enabled and CreateTopicIfMissing, a hosted service
    /// creates the topic at start.
    /// </summary>
    public static IServiceCollection AddSnsNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<SnsOptions>()
            .Bind(configuration.GetSection(SnsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SnsOptions>, SnsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SdkAwsCredentialsSource>();

        services.AddHttpClient<SnsQueryClient>((sp, http) =>
            {
                SnsOptions options = sp.GetRequiredService<IOptions<SnsOptions>>().Value;
                http.BaseAddress = options.ResolveEndpoint();
                http.Timeout = options.RequestTimeout;
            })
            .AddIdempotentRetry()
            .AddHttpMessageHandler(sp =>
            {
                SnsOptions options = sp.GetRequiredService<IOptions<SnsOptions>>().Value;
                IAwsCredentialsSource credentials = options.IsLocalEndpoint
                    ? StaticAwsCredentialsSource.Local
                    : sp.GetRequiredService<SdkAwsCredentialsSource>();
                return new SigV4SigningHandler(credentials, new SigV4Scope(options.Region, SigningService), sp.GetRequiredService<TimeProvider>());
            });

        services.TryAddTransient<ISnsPublisher, SnsPublisher>();
        services.TryAddTransient<ISnsTopicAdmin, SnsTopicAdmin>();

        SnsOptions bound = configuration.GetOptions<SnsOptions>(SnsOptions.SectionName);
        if (bound.Enabled && bound.CreateTopicIfMissing)
        {
            services.AddHostedService<SnsTopicBootstrap>();
        }

        return services;
    }
}
