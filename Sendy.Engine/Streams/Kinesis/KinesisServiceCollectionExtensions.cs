using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Streams.Kinesis;

public static class KinesisServiceCollectionExtensions
{
    public const string SigningService = "kinesis";

    /// <summary>
    /// The Kinesis stream adapter: <see cref="IStreamWriter"/>, <see cref="IShardReader"/> and
    /// <see cref="KinesisStreamAdmin"/>, over a typed <see cref="KinesisClient"/> whose requests are
    /// SigV4-signed. Options from "Sendy:Stream" (Endpoint, Region, StreamName, ShardCount), validated on start.
    /// A loopback Endpoint (kinesalite) signs with dummy credentials, anything else with AWSSDK.Core's default chain.
    /// With CreateIfMissing, a hosted service creates the stream at start.
    /// </summary>
    public static IServiceCollection AddKinesisStream(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<KinesisOptions>()
            .Bind(configuration.GetSection(KinesisOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisOptions>, KinesisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SdkAwsCredentialsSource>();

        services.AddHttpClient<KinesisClient>((sp, http) =>
            {
                KinesisOptions options = sp.GetRequiredService<IOptions<KinesisOptions>>().Value;
                http.BaseAddress = options.ResolveEndpoint();
                http.Timeout = options.RequestTimeout;
            })
            // Writers and readers live in long-lived consumers; recycle connections rather than
            // handlers so a captured client still follows DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddIdempotentRetry()
            .AddHttpMessageHandler(sp =>
            {
                KinesisOptions options = sp.GetRequiredService<IOptions<KinesisOptions>>().Value;
                IAwsCredentialsSource credentials = options.IsLocalEndpoint
                    ? StaticAwsCredentialsSource.Local
                    : sp.GetRequiredService<SdkAwsCredentialsSource>();
                return new SigV4SigningHandler(credentials, new SigV4Scope(options.Region, SigningService), sp.GetRequiredService<TimeProvider>());
            });

        services.TryAddTransient<KinesisStreamWriter>();
        services.TryAddTransient<KinesisShardReader>();
        services.TryAddTransient<KinesisStreamAdmin>();
        services.TryAddTransient<IStreamWriter>(sp => sp.GetRequiredService<KinesisStreamWriter>());
        services.TryAddTransient<IShardReader>(sp => sp.GetRequiredService<KinesisShardReader>());

        if (configuration.GetOptions<KinesisOptions>(KinesisOptions.SectionName).CreateIfMissing)
        {
            services.AddHostedService<StreamBootstrap>();
        }

        return services;
    }
}
