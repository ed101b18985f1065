using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Consumers;
using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>Throttling, expired iterators and outages are weather: ridden out, nothing skipped or doubled.</summary>
public sealed class WeatherTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static TruckPosition Fix(string truck, int i) =>
        new(truck, 37 + i * 0.0001, 127, DateTimeOffset.UtcNow.AddHours(-1).AddSeconds(i), DateTimeOffset.UtcNow);

    private static async Task PutAsync(InMemoryStream stream, string truck, int from, int count) =>
        await stream.PutAsync(Enumerable.Range(from, count)
            .Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList(), default);

    private Task<long> CountAsync(string truck) => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);

    [Fact]
    public async Task throttling_expired_iterators_and_a_stream_outage_skip_nothing()
    {
        var stream = new InMemoryStream(shardCount: 1);
        var reader = new FailureCountingReader(stream);
        var truck = "w-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        await PutAsync(stream, truck, 0, 30);
        stream.ThrottleNextReads = 3;
        stream.ExpireNextIterators = 2;
        await using var node = new EngineHarness(db, reader, "weather-" + Guid.NewGuid().ToString("N")[..6]);
        await node.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 30, "stored through throttling and expiry");

        stream.Unavailable = true; // outage: reads fail, the consumer backs off and tries again
        var failedBefore = reader.Unavailable;
        await Eventually.ReachesAsync(() => Task.FromResult(reader.Unavailable), n => n >= failedBefore + 3, "reads failing in the outage");
        stream.Unavailable = false;
        await PutAsync(stream, truck, 30, 30);
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 60, "stored after the outage");

        Assert.Equal(60L, await db.ScalarAsync<long>("SELECT count(DISTINCT recorded_at) FROM positions WHERE truck_id = $1", truck));
        Assert.Equal(0, stream.ThrottleNextReads);
        Assert.Equal(0, stream.ExpireNextIterators);
    }

    [Fact]
    public async Task the_default_poll_rate_stays_within_five_get_records_calls_per_second_per_shard()
    {
        // One consumer on an empty shard, alone on a fake clock: time moves only when the test moves it.
        var options = new ConsumerOptions { WorkerId = "rate" };
        var interval = options.GetRecordsInterval; // the default, 200 ms: at most 5 calls a second
        var clock = new TimerCountingFakeTimeProvider();
        var stream = new InMemoryStream(shardCount: 1, clock);
        var leases = new InMemoryLeaseStore();
        await leases.CreateIfMissingAsync(new Lease("rate", "shardId-000000000000", null, 0, null, Checkpoints.TrimHorizon, [], 0), default);
        var taken = await leases.TakeAsync((await leases.ListAsync("rate", default)).Single(), "rate", clock.GetUtcNow(), default);
        using var lease = new HeldLease(taken, clock.GetUtcNow());
        var processor = new PositionRecordProcessor("rate", "shardId-000000000000", new PostgresPositionBatchWriter(db.DataSource, clock),
            new LiveFanout(NullLogger<LiveFanout>.Instance), NullLogger.Instance);
        var consumer = new ShardConsumer(lease, stream, leases, processor, options, clock, NullLogger.Instance, new StopDeadlines(options, TimeProvider.System));
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => consumer.RunAsync(stop.Token));

        // The consumer waits only on this clock. Once it has armed its timer, it can make no call
        // until the clock moves, so the count read then is final for this instant.
        async Task<int> CallsOnceWaitingAsync()
        {
            await Eventually.ReachesAsync(() => Task.FromResult(clock.ArmedTimers), n => n == 1, "the consumer waiting on the clock");
            return stream.GetRecordsCalls;
        }

        Assert.Equal(1, await CallsOnceWaitingAsync()); // the first call at once
        var step = interval / 4;
        for (var elapsed = step; elapsed <= TimeSpan.FromSeconds(3); elapsed += step)
        {
            clock.Advance(step);
            // One call each time a full interval has passed since the last, never sooner: 16 in 3 s.
            Assert.Equal(1 + (int)(elapsed / interval), await CallsOnceWaitingAsync());
        }

        await stop.CancelAsync();
        await run;
    }

    /// <summary>Counts the calls the stream refused as unavailable: the consumer meeting an outage.</summary>
    private sealed class FailureCountingReader(IShardReader inner) : IShardReader
    {
        private int _unavailable;

        public int Unavailable => Volatile.Read(ref _unavailable);

        public Task<IReadOnlyList<ShardDescription>> ListShardsAsync(CancellationToken cancellationToken) =>
            Counted(() => inner.ListShardsAsync(cancellationToken));

        public Task<string> GetShardIteratorAsync(string shardId, IteratorStart start, CancellationToken cancellationToken) =>
            Counted(() => inner.GetShardIteratorAsync(shardId, start, cancellationToken));

        public Task<RecordPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) =>
            Counted(() => inner.GetRecordsAsync(shardIterator, limit, cancellationToken));

        private async Task<T> Counted<T>(Func<Task<T>> call)
        {
            try
            {
                return await call();
            }
            catch (StreamUnavailableException)
            {
                Interlocked.Increment(ref _unavailable);
                throw;
            }
        }
    }
}
