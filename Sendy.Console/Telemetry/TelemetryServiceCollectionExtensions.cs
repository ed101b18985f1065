using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sendy.Engine;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Nodes;

namespace Sendy.Console.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// OpenTelemetry for the node: traces (requests, outgoing HTTP, PostgreSQL, the engine's
    /// position batches), metrics (the sendy.* meters, ASP.NET Core, HttpClient, Npgsql) and, with
    /// an OTLP endpoint, logs. OTLP is used only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so a node
    /// without a collector does not retry exports forever.
    /// </summary>
    public static IServiceCollection AddSendyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<TelemetryOptions>(configuration, TelemetryOptions.Section);
        if (!options.Enabled) return services;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])) resource.AddService("sendy-console");
                resource.AddDetector(sp => new NodeDetector(sp.GetRequiredService<NodeId>()));
            })
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundRootsSampler()))
                .AddSource(EngineActivities.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Sendy.*", "Npgsql").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (options.PrometheusScrapeToken is not null) metrics.AddPrometheusExporter();
            });
        if (otlp) telemetry.WithLogging().UseOtlpExporter();
        return services;
    }

    /// <summary>/metrics for Prometheus, only with the configured bearer token (404 when none is configured).</summary>
    public static WebApplication UseSendyTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value;
        if (!options.Enabled || options.PrometheusScrapeToken is not { } token) return app;
        var expected = Encoding.UTF8.GetBytes(token);
        app.MapWhen(http => http.Request.Path == ScrapePath, scrape =>
        {
            scrape.Use((http, next) =>
            {
                // "Bearer <token>", the scheme in any case (RFC 9110), the token compared in fixed time.
                var header = http.Request.Headers.Authorization.ToString();
                var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8.GetBytes(header[7..]) : [];
                if (CryptographicOperations.FixedTimeEquals(given, expected)) return next(http);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Task.CompletedTask;
            });
            scrape.UseOpenTelemetryPrometheusScrapingEndpoint();
        });
        return app;
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(ScrapePath);

    /// <summary>service.instance.id = this node's id (the lease owner name on /admin/consumers).</summary>
    private sealed class NodeDetector(NodeId node) : IResourceDetector
    {
        public Resource Detect() => new([new("service.instance.id", node.Value)]);
    }
}
