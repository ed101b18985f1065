using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Health;
using Sendy.Engine.Streams;

namespace Sendy.Engine.Tests.Health;

/// <summary>Load balancers probe readiness often; the stream's ListShards is asked at most once per cache period.</summary>
public sealed class StreamHealthCheckTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CountingReader _reader = new();

    private StreamHealthCheck Check() =>
        new(_reader, _time, Options.Create(new HealthOptions { StreamCheckCacheFor = TimeSpan.FromSeconds(5) }));

    [Fact]
    public async Task probes_within_the_cache_period_reuse_the_last_answer()
    {
        var check = Check();
        for (var i = 0; i < 100; i++)
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new())).Status);
        Assert.Equal(1, _reader.Calls);

        _time.Advance(TimeSpan.FromSeconds(5));
        await check.CheckHealthAsync(new());
        Assert.Equal(2, _reader.Calls);
    }

    [Fact]
    public async Task concurrent_probes_share_the_call_in_flight()
    {
        var check = Check();
        _reader.Hold();
        var probes = Enumerable.Range(0, 20).Select(_ => check.CheckHealthAsync(new())).ToArray();
        _reader.Release();
        var results = await Task.WhenAll(probes);
        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
        Assert.Equal(1, _reader.Calls);
    }

    [Fact]
    public async Task an_outage_is_reported_cached_and_asked_again_after_the_period()
    {
        var check = Check();
        _reader.Fail = true;
        var down = await check.CheckHealthAsync(new());
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("stream unreachable", down.Description, StringComparison.Ordinal);

        _reader.Fail = false;
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new())).Status);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new())).Status);
        Assert.Equal(2, _reader.Calls);
    }

    private sealed class CountingReader : IShardReader
    {
        private TaskCompletionSource _held = CompletedSource();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public bool Fail { get; set; }

        public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _held.TrySetResult();

        public async Task<IReadOnlyList<ShardDescription>> ListShardsAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await _held.Task;
            if (Fail) throw new StreamException("connection refused");
            return [new ShardDescription("shardId-000000000000", null, null, "0", null)];
        }

        public Task<string> GetShardIteratorAsync(string shardId, IteratorStart start, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<RecordPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource();
            source.SetResult();
            return source;
        }
    }
}
