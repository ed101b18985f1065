using System.Globalization;
using Sendy.Engine.Consumers;
using Sendy.Engine.Leasing;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Consumers;

/// <summary>The batch writer on its own: a replayed page (after a crash or a lost lease) is stored once.</summary>
public sealed class PositionBatchWriterTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);

    private static ShardFix Fix(string truck, int i, int? sequence = null) => new((sequence ?? i).ToString("D20", CultureInfo.InvariantCulture), truck,
        new TruckPosition(truck, 37 + i * 0.0001, 127, T0.AddSeconds(i), T0.AddSeconds(i + 1), 10, 90, 5), ReadOnlyMemory<byte>.Empty); // 40 km/h

    private async Task<(string Stream, string Truck, PostgresLeaseStore Leases, PostgresPositionBatchWriter Writer, Lease Lease)> SetUpAsync()
    {
        var stream = "w-" + Guid.NewGuid().ToString("N")[..8];
        var truck = "W-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        var leases = new PostgresLeaseStore(db.DataSource);
        return (stream, truck, leases, new PostgresPositionBatchWriter(db.DataSource, TimeProvider.System), await TakeLeaseAsync(leases, stream));
    }

    private Task<long> CountAsync(string truck) => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);

    private async Task<long> LatestSecondAsync(string truck) =>
        (long)Math.Round(((await db.ScalarAsync<DateTime>("SELECT recorded_at FROM latest_positions WHERE truck_id = $1", truck))
            - T0.UtcDateTime).TotalSeconds);

    private async Task<Lease> TakeLeaseAsync(PostgresLeaseStore leases, string stream)
    {
        var lease = new Lease(stream, "shardId-000000000000", null, 0, null, Checkpoints.TrimHorizon, [], 0);
        await leases.CreateIfMissingAsync(lease, default);
        var seen = (await leases.ListAsync(stream, default)).Single();
        return await leases.TakeAsync(seen, "writer-test", DateTimeOffset.UtcNow, default);
    }

    private static PositionBatch Batch(string stream, IReadOnlyList<ShardFix> fixes) =>
        new(stream, "shardId-000000000000", fixes, [], fixes[^1].SequenceNumber);

    [Fact]
    public async Task a_replayed_batch_overlapping_stored_rows_stores_only_the_new_ones_and_checkpoints()
    {
        var stream = "w-" + Guid.NewGuid().ToString("N")[..8];
        var truck = "W-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        var leases = new PostgresLeaseStore(db.DataSource);
        var writer = new PostgresPositionBatchWriter(db.DataSource, TimeProvider.System);
        var lease = await TakeLeaseAsync(leases, stream);

        var first = Enumerable.Range(0, 10).Select(i => Fix(truck, i)).ToList();
        var result = await writer.WriteAsync(Batch(stream, first), lease, default);
        Assert.Equal(10, result.Stored.Count);

        // The same page read again, plus five new fixes: the overlap is skipped, the rest stored.
        var replay = Enumerable.Range(0, 15).Select(i => Fix(truck, i)).ToList();
        result = await writer.WriteAsync(Batch(stream, replay), result.Lease, default);

        Assert.Equal(15L, await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE stream_name = $1", stream));
        Assert.Equal(replay[^1].SequenceNumber, (await leases.ListAsync(stream, default)).Single().Checkpoint);
        Assert.Equal(T0.AddSeconds(14).ToUnixTimeMilliseconds(),
            (await db.ScalarAsync<DateTime>("SELECT recorded_at FROM latest_positions WHERE truck_id = $1", truck)).Subtract(DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public async Task a_fix_that_differs_from_the_stored_one_with_its_key_is_dead_lettered_with_its_own_reason()
    {
        var (stream, truck, _, writer, lease) = await SetUpAsync();
        var result = await writer.WriteAsync(Batch(stream, Enumerable.Range(0, 5).Select(i => Fix(truck, i)).ToList()), lease, default);

        // Same truck and device time as stored fix 2 but elsewhere (a second device on the truck);
        // fix 3 re-sent as it was (stored once, silently); fix 7 twice in the page, the second one moved.
        var elsewhere = Fix(truck, 2, 200) with { Position = Fix(truck, 2).Position with { Latitude = 35.1 } };
        var moved = Fix(truck, 7, 203) with { Position = Fix(truck, 7).Position with { SpeedMps = 3 } };
        List<ShardFix> page = [elsewhere, Fix(truck, 3, 201), Fix(truck, 7, 202), moved];
        result = await writer.WriteAsync(Batch(stream, page), result.Lease, default);

        Assert.Equal(2, result.DeadLettered);
        Assert.DoesNotContain(result.Stored, p => p.Latitude == 35.1 || p.SpeedMps == 3);
        Assert.Equal(6L, await CountAsync(truck)); // 0..4 and 7
        Assert.Equal(37 + 2 * 0.0001, await db.ScalarAsync<double>(
            "SELECT ST_Y(location) FROM positions WHERE truck_id = $1 AND recorded_at = $2", truck, T0.AddSeconds(2)), 9); // first wins
        Assert.Equal(2L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM dead_letters WHERE stream_name = $1 AND sequence_number = ANY($2) AND reason = $3",
            stream, new[] { elsewhere.SequenceNumber, moved.SequenceNumber }, PostgresPositionBatchWriter.DiffersFromStored));
    }

    [Fact]
    public async Task a_resent_upload_under_new_sequence_numbers_is_stored_once_even_twice_in_one_page()
    {
        var (stream, truck, _, writer, lease) = await SetUpAsync();
        var result = await writer.WriteAsync(Batch(stream, Enumerable.Range(0, 10).Select(i => Fix(truck, i)).ToList()), lease, default);

        // The phone re-sends fixes 3..5 (the stream gives them new sequence numbers), then 10 and 11, and 11 once more.
        List<ShardFix> page = [Fix(truck, 3, 100), Fix(truck, 4, 101), Fix(truck, 5, 102), Fix(truck, 10, 103), Fix(truck, 11, 104), Fix(truck, 11, 105)];
        await writer.WriteAsync(Batch(stream, page), result.Lease, default);

        Assert.Equal(12L, await CountAsync(truck));
        Assert.Equal(Fix(truck, 3).SequenceNumber, await db.ScalarAsync<string>(
            "SELECT sequence_number FROM positions WHERE truck_id = $1 AND recorded_at = $2", truck, T0.AddSeconds(3)));
        Assert.Equal(Fix(truck, 11, 104).SequenceNumber, await db.ScalarAsync<string>(
            "SELECT sequence_number FROM positions WHERE truck_id = $1 AND recorded_at = $2", truck, T0.AddSeconds(11)));
        Assert.Equal(11L, await LatestSecondAsync(truck));
    }

    [Fact]
    public async Task an_older_fix_uploaded_late_is_stored_without_moving_the_latest_position()
    {
        var (stream, truck, _, writer, lease) = await SetUpAsync();
        var result = await writer.WriteAsync(Batch(stream, Enumerable.Range(5, 5).Select(i => Fix(truck, i)).ToList()), lease, default);

        await writer.WriteAsync(Batch(stream, Enumerable.Range(0, 5).Select(i => Fix(truck, i, 10 + i)).ToList()), result.Lease, default);

        Assert.Equal(10L, await CountAsync(truck));
        Assert.Equal(9L, await LatestSecondAsync(truck));
    }

    [Fact]
    public async Task a_fix_another_writer_stored_meanwhile_is_skipped_and_the_rest_of_the_page_stored()
    {
        var (stream, truck, leases, writer, lease) = await SetUpAsync();
        var result = await writer.WriteAsync(Batch(stream, Enumerable.Range(0, 5).Select(i => Fix(truck, i)).ToList()), lease, default);

        // A zombie worker stored fix 7 of the next page and has not moved the latest position yet:
        // fix 7 still looks new, so the fast COPY meets its key.
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            VALUES ($1, 'shardId-000000000000', 'zombie', $2, $3, $3, now(), ST_SetSRID(ST_MakePoint(127, 37), 4326))
            """, stream, truck, T0.AddSeconds(7));
        var next = Enumerable.Range(5, 5).Select(i => Fix(truck, i)).ToList();
        result = await writer.WriteAsync(Batch(stream, next), result.Lease, default);

        Assert.Equal(5, result.Stored.Count);
        Assert.Equal(10L, await CountAsync(truck));
        Assert.Equal("zombie", await db.ScalarAsync<string>(
            "SELECT sequence_number FROM positions WHERE truck_id = $1 AND recorded_at = $2", truck, T0.AddSeconds(7)));
        Assert.Equal(9L, await LatestSecondAsync(truck));
        Assert.Equal(next[^1].SequenceNumber, (await leases.ListAsync(stream, default)).Single().Checkpoint);
    }
}
