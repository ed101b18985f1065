using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>A consumer node wired as the app wires it, against a test database and any stream adapter.</summary>
public sealed class EngineHarness(TestDatabase db, IShardReader reader, string streamName, string workerId = "worker-a") : IAsyncDisposable
{
    public LiveFanout Live { get; } = new(NullLogger<LiveFanout>.Instance);

    public PostgresLeaseStore Leases { get; } = new(db.DataSource);

    public LeaseCoordinator? Coordinator { get; private set; }

    public static ConsumerOptions FastOptions(string workerId) => new()
    {
        WorkerId = workerId,
        LeaseDuration = TimeSpan.FromSeconds(3),
        ShardSyncInterval = TimeSpan.FromSeconds(1),
        GetRecordsInterval = TimeSpan.FromMilliseconds(20),
        BackoffInitial = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(200),
        ParentPollInterval = TimeSpan.FromMilliseconds(100),
    };

    public async Task StartAsync()
    {
        Coordinator = new LeaseCoordinator(new StreamName(streamName), reader, Leases,
            new PostgresPositionBatchWriter(db.DataSource, TimeProvider.System), Live,
            Options.Create(FastOptions(workerId)), TimeProvider.System, NullLoggerFactory.Instance);
        await Coordinator.StartAsync(CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (Coordinator is null) return;
        await Coordinator.StopAsync(CancellationToken.None);
        Coordinator.Dispose();
        Coordinator = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
