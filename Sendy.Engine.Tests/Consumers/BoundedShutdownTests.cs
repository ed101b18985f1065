using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Consumers;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Streams.Kinesis;
using Sendy.Engine.Tracking;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>
/// A node's stop is bounded by <see cref="ConsumerOptions.ShutdownGrace"/> whatever PostgreSQL does:
/// here PostgreSQL answers through a proxy that holds every chunk, so a batch write takes seconds,
/// and the thread pool is starved while the node stops.
/// </summary>
public sealed class BoundedShutdownTests(TestDatabase db, ITestOutputHelper output) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private const int Shards = 8;
    private const int Trucks = 16;
    private readonly KinesaliteFixture _stream = new(Shards);
    private TcpProxy _proxy = null!;
    private NpgsqlDataSource _slow = null!;

    public async Task InitializeAsync()
    {
        await _stream.InitializeAsync();
        var target = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        _proxy = new TcpProxy(target.Port);
        _proxy.Up();
        _slow = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString)
        {
            Host = "127.0.0.1",
            Port = _proxy.Port,
        }.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _slow.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    private static TruckPosition Fix(string truck, int i) =>
        new(truck, 36 + i * 0.00001, 127 + i * 0.00001, DateTimeOffset.UtcNow.AddHours(-1).AddMilliseconds(i), DateTimeOffset.UtcNow);

    private async Task PutAsync(IEnumerable<string> trucks, int from, int count)
    {
        foreach (var truck in trucks)
            await _stream.Writer.PutAsync(Enumerable.Range(from, count)
                .Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);
    }

    private Task<long> StoredAsync(string[] trucks) =>
        db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = ANY($1)", (object)trucks);

    [Fact]
    public async Task a_stop_while_postgres_answers_slowly_ends_within_the_grace_and_loses_nothing()
    {
        var trucks = Enumerable.Range(0, Trucks).Select(i => $"gs-{i:D2}-{Guid.NewGuid():N}"[..12]).ToArray();
        foreach (var t in trucks) await db.AddTruckAsync(t);
        var grace = TimeSpan.FromSeconds(2);
        var margin = TimeSpan.FromSeconds(1);
        var probe = new WriteProbe();
        var slow = new EngineHarness(db, _stream.Reader, _stream.StreamName, "slow", TimeSpan.FromSeconds(10),
            decorateWriter: probe.Wrap, configure: o => o.ShutdownGrace = grace, dataSource: _slow);
        await using (slow)
        {
            await PutAsync(trucks, 0, 20);
            await slow.StartAsync();
            await Eventually.ReachesAsync(() => StoredAsync(trucks), n => n == Trucks * 20, "first records stored at full speed");
            var leases = await slow.Leases.ListAsync(_stream.StreamName, default);
            Assert.Equal(Shards, leases.Count(l => l.Owner == "slow"));

            // Every chunk to or from PostgreSQL now waits 250 ms: a batch write (a dozen round trips)
            // takes several seconds, longer than the whole grace.
            _proxy.Latency = TimeSpan.FromMilliseconds(250);
            probe.Arm();
            await PutAsync(trucks, 20, 20);
            await probe.SlowWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // And the process is busy: its thread pool starved by blocked threads, as a loaded node (or
            // this suite, on a shared machine) can be. The pool's timers then fired seconds late; the
            // stop's clock must not depend on them.
            using var unblock = new ManualResetEventSlim();
            var blockers = Enumerable.Range(0, 64).Select(_ => Task.Run(() => unblock.Wait())).ToArray();
            var stopping = Stopwatch.StartNew();
            try
            {
                await slow.StopAsync();
            }
            finally
            {
                stopping.Stop();
                unblock.Set();
                await Task.WhenAll(blockers);
            }
            output.WriteLine($"stop took {stopping.ElapsedMilliseconds} ms with grace {grace.TotalMilliseconds} ms; " +
                $"batch writes cut off at the drain deadline: {probe.CutOff}, finished: {probe.Finished}");
            // A write started under the latency cannot finish within the drain time (its round trips
            // alone take longer): the deadline reached it in flight. (Its OperationCanceledException
            // may surface after the stop: Npgsql first waits for the server to cancel the command.)
            Assert.True(probe.CutOff > 0, "no batch write was in flight at the drain deadline: the bound was not exercised");
            Assert.True(stopping.Elapsed <= grace + margin,
                $"the stop took {stopping.ElapsedMilliseconds} ms, more than the grace {grace.TotalMilliseconds} ms plus {margin.TotalMilliseconds} ms");
        }
        _proxy.Latency = TimeSpan.Zero;

        // Nothing lost: what was cut off rolled back with its checkpoint, and another node (once
        // the unreleased leases expire) stores every record exactly once.
        await using var next = new EngineHarness(db, _stream.Reader, _stream.StreamName, "next", TimeSpan.FromSeconds(10));
        await next.StartAsync();
        await Eventually.ReachesAsync(() => StoredAsync(trucks), n => n == Trucks * 40, "every record stored after the stop", timeoutSeconds: 90);
        Assert.Equal((long)Trucks * 40, await db.ScalarAsync<long>(
            "SELECT count(DISTINCT (truck_id, recorded_at)) FROM positions WHERE truck_id = ANY($1)", (object)trucks));
    }

    [Fact]
    public void a_grace_that_does_not_fit_in_the_host_s_shutdown_timeout_fails_on_start()
    {
        var services = new ServiceCollection();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services.AddOptions<ConsumerOptions>().Configure(o => o.ShutdownGrace = TimeSpan.FromSeconds(5));
        services.AddSingleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsumerOptions>>().Value);
        Assert.Contains("ShutdownGrace", error.Message);

        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        using var fits = services.BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(5), fits.GetRequiredService<IOptions<ConsumerOptions>>().Value.ShutdownGrace);
    }

    [Fact]
    public async Task a_worker_whose_heartbeat_fails_takes_no_lease()
    {
        var stream = new InMemoryStream(shardCount: 2);
        var leases = new InMemoryLeaseStore();
        var status = new FailingHeartbeat();
        using var coordinator = new Scheduler(new StreamName("mem"), stream, leases,
            new PositionRecordProcessorFactory(new UnusedWriter(), new LiveFanout(NullLogger<LiveFanout>.Instance), NullLoggerFactory.Instance),
            Options.Create(EngineHarness.FastOptions("w", TimeSpan.FromSeconds(10))),
            TimeProvider.System, NullLoggerFactory.Instance, status);

        using var stopping = new CancellationTokenSource();

        await coordinator.RunCycleAsync(stopping.Token);
        var unowned = await leases.ListAsync("mem", default);
        Assert.Equal(2, unowned.Count);
        Assert.All(unowned, l => Assert.Null(l.Owner));

        status.Fails = false;
        await coordinator.RunCycleAsync(stopping.Token);
        Assert.All(await leases.ListAsync("mem", default), l => Assert.Equal("w", l.Owner));
        await stopping.CancelAsync(); // the consumers started by the cycle stop with it
        await coordinator.StopAsync(CancellationToken.None);
    }

    /// <summary>Notes batch writes that start once armed, and how they end.</summary>
    private sealed class WriteProbe
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CancellationToken> _inFlight = new();
        private volatile bool _armed;
        private int _next;
        private int _cutOffDone;
        private int _finished;

        public TaskCompletionSource SlowWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// Writes whose token was cancelled while they ran: those that ended so, and those still
        /// running with their token cancelled. Read from the token's state, not from a callback of
        /// its own: a token runs its callbacks last registered first, so Npgsql's (which sends the
        /// cancel request to the server, seconds through the slow proxy) would run before a probe's
        /// and hide a write the deadline did reach.
        /// </summary>
        public int CutOff => Volatile.Read(ref _cutOffDone) + _inFlight.Values.Count(t => t.IsCancellationRequested);

        public int Finished => Volatile.Read(ref _finished);

        public void Arm() => _armed = true;

        public IPositionBatchWriter Wrap(IPositionBatchWriter inner) => new Writer(this, inner);

        private sealed class Writer(WriteProbe probe, IPositionBatchWriter inner) : IPositionBatchWriter
        {
            public async Task<BatchWriteResult> WriteAsync(PositionBatch batch, Lease held, CancellationToken cancellationToken)
            {
                if (!probe._armed) return await inner.WriteAsync(batch, held, cancellationToken);
                probe.SlowWriteStarted.TrySetResult();
                var id = Interlocked.Increment(ref probe._next);
                probe._inFlight[id] = cancellationToken;
                try
                {
                    var result = await inner.WriteAsync(batch, held, cancellationToken);
                    Interlocked.Increment(ref probe._finished);
                    return result;
                }
                finally
                {
                    // Counted before it leaves the in-flight set, so a reader never misses it.
                    if (cancellationToken.IsCancellationRequested) Interlocked.Increment(ref probe._cutOffDone);
                    probe._inFlight.TryRemove(id, out _);
                }
            }
        }
    }

    private sealed class FailingHeartbeat : IConsumerStatusStore
    {
        public bool Fails { get; set; } = true;

        public Task HeartbeatAsync(WorkerStatus worker, CancellationToken cancellationToken) =>
            Fails ? throw new NpgsqlException("database down") : Task.CompletedTask;

        public Task ReportLagAsync(string streamName, string shardId, string owner, long? millisBehindLatest, CancellationToken cancellationToken) =>
            Task.CompletedTask;

        public Task RemoveWorkerAsync(string workerId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<WorkerStatus>> ListWorkersAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WorkerStatus>>([]);

        public Task<IReadOnlyList<LeaseStatus>> ListLeasesAsync(string streamName, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<LeaseStatus>>([]);

        public Task<long> CountDeadLettersAsync(string streamName, CancellationToken cancellationToken) => Task.FromResult(0L);
    }

    private sealed class UnusedWriter : IPositionBatchWriter
    {
        public Task<BatchWriteResult> WriteAsync(PositionBatch batch, Lease held, CancellationToken cancellationToken) =>
            Task.FromResult(new BatchWriteResult(held, [], 0));
    }
}
