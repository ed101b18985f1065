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

    private static ShardFix Fix(string truck, int i) => new(i.ToString("D20", CultureInfo.InvariantCulture), truck,
        new TruckPosition(truck, 37 + i * 0.001, 127, T0.AddSeconds(i), T0.AddSeconds(i + 1), 10, 90, 5), ReadOnlyMemory<byte>.Empty);

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
}
