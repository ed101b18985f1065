using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Aws;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Search.OpenSearch;

public static class OpenSearchServiceCollectionExtensions
{
    /// <summary>Amazon OpenSearch Service's SigV4 service name (managed domains).</summary>
    public const string SigningService = "es";

    /// <summary>
    /// The OpenSearch adapter: <see cref="ISearchIndexSetup"/>, <see cref="IBulkIndexer"/>,
    /// <see cref="IStatusEventSearch"/> and <see cref="ISearchIndexAdmin"/> over a typed <see cref="OpenSearchClient"/>. Options from
    /// "Sendy:OpenSearch", validated on start when Enabled. Basic authentication with
    /// Username/Password, or SigV4 (service "es", AWSSDK.Core's credential chain) with UseAwsSigV4.
    /// </summary>
    public static IServiceCollection AddOpenSearch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<OpenSearchOptions>()
            .Bind(configuration.GetSection(OpenSearchOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenSearchOptions>, OpenSearchOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SdkAwsCredentialsSource>();

        services.AddHttpClient<OpenSearchClient>((sp, http) =>
            {
                OpenSearchOptions options = sp.GetRequiredService<IOptions<OpenSearchOptions>>().Value;
                if (Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? url))
                {
                    http.BaseAddress = url;
                }

                http.Timeout = options.RequestTimeout;
                if (!string.IsNullOrEmpty(options.Username))
                {
                    string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"));
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
                }
            })
            .AddIdempotentRetry()
            .AddHttpMessageHandler(sp =>
            {
                OpenSearchOptions options = sp.GetRequiredService<IOptions<OpenSearchOptions>>().Value;
                return options.UseAwsSigV4
                    // OpenSearch Service wants the payload hash as a header as well as in the signature.
                    ? new SigV4SigningHandler(sp.GetRequiredService<SdkAwsCredentialsSource>(), new SigV4Scope(options.Region, SigningService),
                        sp.GetRequiredService<TimeProvider>(), addContentSha256Header: true)
                    : new PassThroughHandler();
            });

        services.TryAddTransient<ISearchIndexSetup, OpenSearchIndexSetup>();
        services.TryAddTransient<IBulkIndexer, OpenSearchBulkIndexer>();
        services.TryAddTransient<IStatusEventSearch, OpenSearchStatusSearch>();
        services.TryAddTransient<ISearchIndexAdmin, OpenSearchIndexAdmin>();
        return services;
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}
