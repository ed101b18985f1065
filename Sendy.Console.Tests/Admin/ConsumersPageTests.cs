using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;

namespace Sendy.Console.Tests.Admin;

public sealed class ConsumersPageTests : SendyBunitContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private readonly FakeStatusStore _status = new();

    public ConsumersPageTests()
        : base(time: new FakeTimeProvider(Now))
    {
        Services.AddSingleton<IConsumerStatusStore>(_status);
        Services.AddSingleton(new StreamName("sendy-positions"));
        Services.AddSingleton(Options.Create(new ConsumerOptions { WorkerId = "node-1", LeaseDuration = TimeSpan.FromSeconds(10) }));
    }

    [Fact]
    public void lists_workers_and_leases_with_owner_checkpoint_lag_and_renewal()
    {
        _status.Workers = [new WorkerStatus("node-1", "vm-a", Now.AddMinutes(-5), Now.AddSeconds(-2), 2),
            new WorkerStatus("node-2", "vm-b", Now.AddMinutes(-5), Now.AddSeconds(-30), 1)];
        _status.Leases =
        [
            new LeaseStatus("shardId-000000000000", null, Checkpoints.ShardEnd, null, null, Now.AddMinutes(-1), [], 0),
            new LeaseStatus("shardId-000000000001", "node-1", "49680537059279124044260107617440892884152194423762976770", 1200,
                Now.AddSeconds(-3), Now.AddSeconds(-1), ["shardId-000000000000"], 0),
            new LeaseStatus("shardId-000000000002", null, Checkpoints.TrimHorizon, null, null, null, [], 1),
        ];
        _status.DeadLetters = 3;
        var page = Render<ConsumersPage>();

        Assert.Contains("Dead letters: 3", page.Find("[data-testid=dead-letters]").TextContent);
        var workers = page.Find("[data-testid=workers]").TextContent;
        Assert.Contains("node-2", workers);
        Assert.Contains("stale", workers); // 30 s without heartbeat with a 10 s lease
        var leases = page.Find("[data-testid=leases]").TextContent;
        Assert.Contains("finished", leases);
        Assert.Contains("unowned", leases);
        Assert.Contains("1,200 ms", leases);
        Assert.Contains("…423762976770", leases);
        Assert.Contains("3 s ago", leases);
    }

    [Fact]
    public void says_so_when_nothing_reported_yet()
    {
        var page = Render<ConsumersPage>();
        Assert.Contains("No worker has reported yet", page.Markup);
        Assert.Contains("No leases yet", page.Markup);
    }

    private sealed class FakeStatusStore : IConsumerStatusStore
    {
        public IReadOnlyList<WorkerStatus> Workers { get; set; } = [];
        public IReadOnlyList<LeaseStatus> Leases { get; set; } = [];
        public int Calls { get; private set; }
        public Task HeartbeatAsync(WorkerStatus worker, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task ReportLagAsync(string s, string sh, string o, long? m, CancellationToken c) => Task.CompletedTask;
        public Task RemoveWorkerAsync(string workerId, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<IReadOnlyList<WorkerStatus>> ListWorkersAsync(CancellationToken cancellationToken) { Calls++; return Task.FromResult(Workers); }
        public Task<IReadOnlyList<LeaseStatus>> ListLeasesAsync(string streamName, CancellationToken cancellationToken) { Calls++; return Task.FromResult(Leases); }
        public long DeadLetters { get; set; }
        public Task<long> CountDeadLettersAsync(string streamName, CancellationToken cancellationToken) => Task.FromResult(DeadLetters);
    }
}
