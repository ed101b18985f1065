using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;
using Sendy.Engine.Leasing;
using Sendy.Engine.Nodes;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// A consumer node wired as the app wires it (coordinator, batch writer, live fan-out and, with
/// <c>relay</c>, the cross-node LISTEN/NOTIFY relay) against a test database and any stream adapter.
/// </summary>
public sealed class EngineHarness(
    TestDatabase db,
    IShardReader reader,
    string streamName,
    string workerId = "worker-a",
    TimeSpan? leaseDuration = null,
    bool relay = false,
    Func<IPositionBatchWriter, IPositionBatchWriter>? decorateWriter = null,
    Action<ConsumerOptions>? configure = null,
    Npgsql.NpgsqlDataSource? dataSource = null) : IAsyncDisposable
{
    // The node's own way to PostgreSQL (e.g. through a TcpProxy); the test database's by default.
    private readonly Npgsql.NpgsqlDataSource _data = dataSource ?? db.DataSource;

    // One meter factory per node (below): a factory hands out one shared Meter per name, and a test
    // listening to one node's metrics must not count the other nodes running in this process.

    public LiveFanout Live { get; } = new(NullLogger<LiveFanout>.Instance);

    public PostgresLeaseStore Leases { get; } = new(dataSource ?? db.DataSource);

    public Scheduler? Scheduler { get; private set; }

    public LiveRelay? Relay { get; private set; }

    public string WorkerId => workerId;

    public ConsumerOptions Options { get; } = Configure(FastOptions(workerId, leaseDuration ?? TimeSpan.FromSeconds(3)), configure);

    public Sendy.Engine.Consumers.Status.EngineMetrics Metrics => _metricsInstance;

    private readonly Sendy.Engine.Consumers.Status.EngineMetrics _metricsInstance = new(
        new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddMetrics().BuildServiceProvider()
            .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private static ConsumerOptions Configure(ConsumerOptions options, Action<ConsumerOptions>? configure)
    {
        configure?.Invoke(options);
        return options;
    }

    public static ConsumerOptions FastOptions(string workerId, TimeSpan leaseDuration) => new()
    {
        WorkerId = workerId,
        LeaseDuration = leaseDuration,
        ShardSyncInterval = TimeSpan.FromSeconds(1),
        GetRecordsInterval = TimeSpan.FromMilliseconds(20),
        BackoffInitial = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(200),
        ParentPollInterval = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>Only the relay listener: a node that serves live views but consumes nothing.</summary>
    public async Task StartRelayOnlyAsync()
    {
        Relay = new LiveRelay(_data, Live, new NodeId(workerId), TimeProvider.System, NullLogger<LiveRelay>.Instance);
        await Relay.StartAsync(CancellationToken.None);
    }

    public async Task StartAsync()
    {
        if (relay) await StartRelayOnlyAsync();
        IPositionBatchWriter writer = new PostgresPositionBatchWriter(_data, TimeProvider.System, relay ? new CrossNodeLive(new NodeId(workerId)) : null);
        if (decorateWriter is not null) writer = decorateWriter(writer);
        Scheduler = new Scheduler(new StreamName(streamName), reader, Leases,
            new PositionRecordProcessorFactory(writer, Live, NullLoggerFactory.Instance, Metrics),
            Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLoggerFactory.Instance,
            new Sendy.Engine.Consumers.Status.PostgresConsumerStatusStore(_data), Metrics);
        await Scheduler.StartAsync(CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (Scheduler is not null)
        {
            await Scheduler.StopAsync(CancellationToken.None);
            Scheduler.Dispose();
            Scheduler = null;
        }
        if (Relay is not null)
        {
            await Relay.StopAsync(CancellationToken.None);
            Relay.Dispose();
            Relay = null;
        }
    }

    /// <summary>Simulated crash: consumers stop where they are, nothing is checkpointed or released.</summary>
    public async Task CrashAsync()
    {
        if (Scheduler is null) return;
        await Scheduler.AbandonAsync();
        Scheduler.Dispose();
        Scheduler = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
