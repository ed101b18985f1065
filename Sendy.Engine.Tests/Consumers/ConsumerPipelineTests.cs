using System.Text;
using Sendy.Engine.Leasing;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>A stream adapter as the pipeline tests need it.</summary>
public interface IStreamUnderTest : IAsyncLifetime
{
    string StreamName { get; }
    IStreamWriter Writer { get; }
    IShardReader Reader { get; }
}

/// <summary>
/// Put -> consume -> store, on the real PostgreSQL/PostGIS, run against every stream adapter.
/// </summary>
public abstract class ConsumerPipelineTests<TStream> : IClassFixture<TestDatabase>, IAsyncLifetime
    where TStream : IStreamUnderTest, new()
{
    private readonly TestDatabase _db;
    private readonly TStream _stream = new();

    protected ConsumerPipelineTests(TestDatabase db) => _db = db;

    public Task InitializeAsync() => _stream.InitializeAsync();

    public Task DisposeAsync() => _stream.DisposeAsync();

    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-30);

    private static TruckPosition Fix(string truck, int i) =>
        new(truck, 37.5 + i * 0.0001, 127.0 + i * 0.0001, T0.AddSeconds(i), DateTimeOffset.UtcNow, 10, 90, 5);

    private async Task PutAsync(string truck, int from, int count)
    {
        var records = Enumerable.Range(from, count)
            .Select(i => new OutgoingRecord(truck, PositionRecordCodec.Encode(Fix(truck, i)))).ToList();
        await _stream.Writer.PutAsync(records, CancellationToken.None);
    }

    private Task<long> CountAsync(string truck) =>
        _db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);

    private string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task put_positions_are_stored_once_with_geometry_and_checkpoint_advances()
    {
        var truck = Unique("t");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 50);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();

        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 50, "stored positions");
        var shardOfTruck = await _db.ScalarAsync<string>("SELECT DISTINCT shard_id FROM positions WHERE truck_id = $1", truck);
        var lastSeq = await _db.ScalarAsync<string>(
            "SELECT sequence_number FROM positions WHERE truck_id = $1 ORDER BY recorded_at DESC LIMIT 1", truck);
        await Eventually.ReachesAsync(
            async () => (await node.Leases.ListAsync(_stream.StreamName, default)).Single(l => l.ShardId == shardOfTruck).Checkpoint,
            cp => cp == lastSeq, "checkpoint of the truck's shard");

        Assert.Equal(0L, await _db.ScalarAsync<long>(
            "SELECT count(*) FROM positions WHERE truck_id = $1 AND (ST_SRID(location) <> 4326 OR ST_X(location) < 127)", truck));
        var latestLat = await _db.ScalarAsync<double>("SELECT ST_Y(location) FROM latest_positions WHERE truck_id = $1", truck);
        Assert.Equal(Fix(truck, 49).Latitude, latestLat, 6);
    }

    [Fact]
    public async Task restart_mid_stream_leaves_no_gap_and_no_duplicate()
    {
        var truck = Unique("r");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 100);
        var first = new EngineHarness(_db, _stream.Reader, _stream.StreamName, "worker-1");
        await first.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n >= 100, "first half stored");
        await first.StopAsync();

        var leases = await first.Leases.ListAsync(_stream.StreamName, default);
        Assert.All(leases, l => Assert.Null(l.Owner)); // released on graceful stop

        await PutAsync(truck, 100, 100);
        await using var second = new EngineHarness(_db, _stream.Reader, _stream.StreamName, "worker-2");
        await second.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n >= 200, "second half stored");

        var distinctTimes = await _db.ScalarAsync<long>("SELECT count(DISTINCT recorded_at) FROM positions WHERE truck_id = $1", truck);
        Assert.Equal(200L, await CountAsync(truck));
        Assert.Equal(200L, distinctTimes);
    }

    [Fact]
    public async Task malformed_records_are_dead_lettered_and_the_shard_keeps_flowing()
    {
        var truck = Unique("p");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 5);
        await _stream.Writer.PutAsync(
        [
            new OutgoingRecord(truck, "\u0001garbage\u00ff"u8.ToArray()),
            new OutgoingRecord(truck, """{"v":1,"truckId":"x","lat":"north"}"""u8.ToArray()),
            new OutgoingRecord(truck, """{"v":1,"truckId":"no-such-truck-zz","lat":1,"lon":2,"recordedAt":"2026-01-01T00:00:00Z"}"""u8.ToArray()),
        ], CancellationToken.None);
        await PutAsync(truck, 5, 5);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();

        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 10, "good records after poison stored");
        var deadLetters = await Eventually.ReachesAsync(
            () => _db.ScalarAsync<long>("SELECT count(*) FROM dead_letters WHERE partition_key = $1", truck),
            n => n == 3, "dead letters");
        Assert.Equal(3L, deadLetters);
        var reasons = await _db.ScalarAsync<string>(
            "SELECT string_agg(reason, ' | ' ORDER BY sequence_number) FROM dead_letters WHERE partition_key = $1", truck);
        Assert.Contains("not", reasons);
        Assert.Contains("unknown truck", reasons);
    }

    [Fact]
    public async Task a_record_without_utc_offset_is_dead_lettered_with_its_reason_and_the_shard_goes_on()
    {
        var truck = Unique("z");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 3);
        var offsetLess = Encoding.UTF8.GetBytes($$"""{"v":1,"truckId":"{{truck}}","lat":37.5,"lon":127,"recordedAt":"2026-12-05T10:00:00"}""");
        await _stream.Writer.PutAsync([new OutgoingRecord(truck, offsetLess)], CancellationToken.None);
        await PutAsync(truck, 3, 3);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();

        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 6, "the records after the offset-less one stored");
        await Eventually.ReachesAsync(
            () => _db.ScalarAsync<long>("SELECT count(*) FROM dead_letters WHERE partition_key = $1", truck), n => n == 1, "dead letter");
        var reason = await _db.ScalarAsync<string>("SELECT reason FROM dead_letters WHERE partition_key = $1", truck);
        Assert.Contains("recordedAt has no UTC offset", reason);
        Assert.Equal(6L, await CountAsync(truck));
    }

    [Fact]
    public async Task a_re_sent_upload_is_stored_once()
    {
        var truck = Unique("d");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 0, 10);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 10, "first upload stored");
        await PutAsync(truck, 5, 10); // the phone re-sends 5..9 with 10..14: new records, same fixes
        // Sentinel: one more fix after the re-send. Same partition key, so same shard, and a shard's
        // consumer stores its pages in sequence order (each page with its checkpoint, before reading
        // on): once the sentinel is stored, every re-sent record before it has been stored or dropped.
        await PutAsync(truck, 100, 1);
        await Eventually.ReachesAsync(() => _db.ScalarAsync<long>(
            "SELECT count(*) FROM positions WHERE truck_id = $1 AND recorded_at = $2", truck, Fix(truck, 100).RecordedAt.UtcDateTime),
            n => n == 1, "the sentinel stored");
        Assert.Equal(16L, await CountAsync(truck));
    }

    [Fact]
    public async Task an_older_fix_arriving_late_does_not_move_the_latest_position()
    {
        var truck = Unique("o");
        await _db.AddTruckAsync(truck);
        await PutAsync(truck, 10, 1);
        await PutAsync(truck, 3, 1);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();
        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 2, "both fixes stored");

        var latest = await _db.ScalarAsync<DateTime>("SELECT recorded_at FROM latest_positions WHERE truck_id = $1", truck);
        Assert.Equal(Fix(truck, 10).RecordedAt.UtcDateTime, latest, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task checkpoints_from_a_recreated_stream_restart_the_shards_from_trim_horizon()
    {
        var truck = Unique("c");
        await _db.AddTruckAsync(truck);
        var store = new PostgresLeaseStore(_db.DataSource);
        foreach (var shard in await _stream.Reader.ListShardsAsync(default))
        {
            // What the previous stream of the same name left behind: a sequence number this stream never issued.
            await store.CreateIfMissingAsync(new Lease(_stream.StreamName, shard.ShardId, null, 0, null,
                "49680537208827921345606466406491940267162483297479557154", [], 0), default);
        }
        await PutAsync(truck, 0, 20);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        await node.StartAsync();

        await Eventually.ReachesAsync(() => CountAsync(truck), n => n == 20, "records of the new stream stored");
        // Each shard's consumer rewrites its own stale checkpoint when it starts; the truck's records
        // are on one shard only, so the others may still be starting: wait for what is asserted.
        await Eventually.ReachesAsync(
            async () => (await store.ListAsync(_stream.StreamName, default)).Count(l => l.Checkpoint.StartsWith("4968053720882792", StringComparison.Ordinal)),
            n => n == 0, "no lease keeps the old stream's checkpoint");
        Assert.Equal(20L, await CountAsync(truck));
    }

    [Fact]
    public async Task stored_positions_reach_live_subscribers()
    {
        var truck = Unique("l");
        await _db.AddTruckAsync(truck);
        await using var node = new EngineHarness(_db, _stream.Reader, _stream.StreamName);
        var seen = new TaskCompletionSource<TruckPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = node.Live.SubscribeTruck(truck, p =>
        {
            if (p.RecordedAt == Fix(truck, 7).RecordedAt) seen.TrySetResult(p);
            return Task.CompletedTask;
        });
        await node.StartAsync();
        await PutAsync(truck, 7, 1);

        var position = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Fix(truck, 7).Latitude, position.Latitude, 9);
    }
}

public sealed class InMemoryStreamUnderTest : IStreamUnderTest
{
    private readonly InMemoryStream _stream = new(shardCount: 2);
    public string StreamName { get; } = $"mem-{Guid.NewGuid():N}"[..12];
    public IStreamWriter Writer => _stream;
    public IShardReader Reader => _stream;
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class ConsumerPipelineTests_InMemoryStream(TestDatabase db) : ConsumerPipelineTests<InMemoryStreamUnderTest>(db);

public sealed class KinesaliteStreamUnderTest : IStreamUnderTest
{
    private readonly Streams.Kinesis.KinesaliteFixture _fixture = new();
    public string StreamName => _fixture.StreamName;
    public IStreamWriter Writer => _fixture.Writer;
    public IShardReader Reader => _fixture.Reader;
    public Task InitializeAsync() => _fixture.InitializeAsync();
    public Task DisposeAsync() => _fixture.DisposeAsync();
}

public sealed class ConsumerPipelineTests_Kinesalite(TestDatabase db) : ConsumerPipelineTests<KinesaliteStreamUnderTest>(db);
