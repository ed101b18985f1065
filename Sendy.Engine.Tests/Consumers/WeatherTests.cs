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
        var truck = "w-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        await PutAsync(stream, truck, 0, 30);
        stream.ThrottleNextReads = 3;
        stream.ExpireNextIterators = 2;
        await using var node = new EngineHarness(db, stream, "weather-" + Guid.NewGuid().ToString("N")[..6]);
        await node.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 30, "stored through throttling and expiry");

        stream.Unavailable = true; // outage: reads fail, the consumer backs off
        await Task.Delay(500);
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
        var stream = new InMemoryStream(shardCount: 1);
        await using var node = new EngineHarness(db, stream, "rate-" + Guid.NewGuid().ToString("N")[..6],
            configure: o => o.GetRecordsInterval = new Sendy.Engine.Consumers.ConsumerOptions().GetRecordsInterval);
        await node.StartAsync();
        await Eventually.ReachesAsync(() => Task.FromResult(stream.GetRecordsCalls), n => n > 0, "polling started");
        var before = stream.GetRecordsCalls;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var calls = stream.GetRecordsCalls - before;
        Assert.InRange(calls, 1, 16); // 5/s over 3 s = 15, plus the call in flight at the edge
    }
}
