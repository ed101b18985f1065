using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Processing;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Exports;
using Sendy.Engine.Fleet;
using Sendy.Engine.Health;
using Sendy.Engine.History;
using Sendy.Engine.Ingest;
using Sendy.Engine.Integrations;
using Sendy.Engine.Leasing;
using Sendy.Engine.Nodes;
using Sendy.Engine.Quality;
using Sendy.Engine.Storage;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;
using Microsoft.Extensions.Options;
using Sendy.Engine.Trackers;
using Sendy.Engine.Tracking;

namespace Sendy.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>The tracking engine: stream clients, storage, consumer, live fan-out.</summary>
    public static IServiceCollection AddSendyEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Sendy")
            ?? throw new InvalidOperationException("ConnectionStrings:Sendy is not set (see README, Configuration).");

        services.TryAddSingleton(TimeProvider.System);
        // Hosted services stop side by side: a stop lasts as long as the slowest one (the consumer's
        // Sendy:Consumer:ShutdownGrace, Hangfire's job server), not their sum, so it fits the host's
        // shutdown timeout that ConsumerOptionsValidator checks the grace against. They still start in order.
        services.Configure<HostOptions>(o => o.ServicesStopConcurrently = true);

        connectionString = SendyDatabase.AppConnectionString(connectionString);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, connectionString));

        services.AddKinesisStream(configuration);
        services.AddSingleton(sp => new StreamName(sp.GetRequiredService<IOptions<KinesisOptions>>().Value.StreamName));
        var consumer = services.AddValidatedOptions<ConsumerOptions>(configuration, ConsumerOptions.Section);
        services.AddSendyNode();

        services.AddSingleton<LiveFanout>();
        services.AddForwarded<ILivePositionFeed, LiveFanout>();
        services.AddForwarded<ILivePositionPublisher, LiveFanout>();
        services.AddValidatedOptions<TrailOptions>(configuration, TrailOptions.Section);
        services.AddSingleton<ITrackingQueries, EfTrackingQueries>();
        services.AddSingleton<FleetRegistry>();
        services.AddSingleton<FleetAdmin>();
        services.AddSingleton<FleetAdminQueries>();
        services.AddSendyDeliveries(configuration);
        services.AddSendyIntegrations(configuration);

        services.AddValidatedOptions<IngestOptions>(configuration, IngestOptions.Section);
        services.AddSingleton<DriverTokenCache>();
        services.AddSingleton<TrackerDevices>();
        services.AddSingleton<TrackerReports>();
        services.AddValidatedOptions<FixQualityOptions>(configuration, FixQualityOptions.Section);
        services.AddSingleton<FlaggedFixes>();
        var live = services.AddValidatedOptions<LiveOptions>(configuration, LiveOptions.Section);
        // Optional collaborators (LiveAnnouncer, CrossNodeLive, IAcceptedPositionsListener) are
        // registered only when configured; the constructors that take them default to null.
        if (live.CrossNode)
            services.AddSingleton(sp => new CrossNodeLive(sp.GetRequiredService<NodeId>()));
        if (live.FastPath)
        {
            if (live.CrossNode)
                services.AddHostedSingleton<LiveAnnouncer>();
            services.AddSingleton<LiveFixGate>();
            services.AddSingleton<IAcceptedPositionsListener, LiveFastPath>();
        }
        services.AddSingleton<PositionIngestor>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>());
        services.AddSingleton<ILeaseStore, PostgresLeaseStore>();
        services.AddSingleton<IConsumerStatusStore, PostgresConsumerStatusStore>();
        services.AddMetrics();
        services.AddSingleton<EngineMetrics>();
        services.AddSendyHistory(configuration);
        services.AddSendyExports();
        services.AddSingleton<IPositionBatchWriter, PostgresPositionBatchWriter>();
        if (live.CrossNode)
            services.AddHostedSingleton<LiveRelay>();
        if (consumer.Enabled)
        {
            services.AddSingleton<IRecordProcessorFactory, PositionRecordProcessorFactory>();
            services.AddHostedSingleton<Scheduler>();
        }

        services.AddValidatedOptions<HealthOptions>(configuration, HealthOptions.Section);
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddSingleton<StreamHealthCheck>(); // one instance: it keeps the stream's last answer
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<StreamHealthCheck>("stream", tags: ["ready"]);
        return services;
    }
}
