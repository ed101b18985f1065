using Sendy.Engine.Leasing;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Leasing;

/// <summary>Compare-and-set behaviour of the PostgreSQL lease table.</summary>
public sealed class PostgresLeaseStoreTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private readonly string _stream = "s-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<Lease> NewLeaseAsync(PostgresLeaseStore store, string shard = "shardId-000000000000")
    {
        Assert.True(await store.CreateIfMissingAsync(new Lease(_stream, shard, null, 0, null, Checkpoints.TrimHorizon, ["p1"], 0), default));
        Assert.False(await store.CreateIfMissingAsync(new Lease(_stream, shard, null, 0, null, Checkpoints.TrimHorizon, [], 0), default));
        return (await store.ListAsync(_stream, default)).Single(l => l.ShardId == shard);
    }

    [Fact]
    public async Task take_renew_checkpoint_release_each_move_the_counter()
    {
        var store = new PostgresLeaseStore(db.DataSource);
        var lease = await NewLeaseAsync(store);
        Assert.Equal(["p1"], lease.ParentShardIds);

        var taken = await store.TakeAsync(lease, "w1", Now, default);
        Assert.Equal(("w1", 1L, 1), (taken.Owner, taken.Counter, taken.OwnerSwitchesSinceCheckpoint));
        var renewed = await store.RenewAsync(taken, Now.AddSeconds(3), default);
        Assert.Equal(2L, renewed.Counter);
        var checkpointed = await store.CheckpointAsync(renewed, "123", default);
        Assert.Equal(("123", 3L, 0), (checkpointed.Checkpoint, checkpointed.Counter, checkpointed.OwnerSwitchesSinceCheckpoint));
        await store.ReleaseAsync(checkpointed, default);
        var released = (await store.ListAsync(_stream, default)).Single();
        Assert.Null(released.Owner);
        Assert.Equal("123", released.Checkpoint);
    }

    [Fact]
    public async Task two_workers_taking_the_same_lease_one_loses_with_a_typed_exception()
    {
        var store = new PostgresLeaseStore(db.DataSource);
        var seen = await NewLeaseAsync(store, "shardId-000000000001");
        await store.TakeAsync(seen, "w1", Now, default);
        await Assert.ThrowsAsync<LeaseLostException>(() => store.TakeAsync(seen, "w2", Now, default));
    }

    [Fact]
    public async Task checkpoint_after_lease_lost_throws()
    {
        var store = new PostgresLeaseStore(db.DataSource);
        var seen = await NewLeaseAsync(store, "shardId-000000000002");
        var mine = await store.TakeAsync(seen, "w1", Now, default);
        var stolen = await store.TakeAsync(mine, "w2", Now.AddSeconds(20), default);
        Assert.Equal(2, stolen.OwnerSwitchesSinceCheckpoint);

        await Assert.ThrowsAsync<LeaseLostException>(() => store.CheckpointAsync(mine, "999", default));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.RenewAsync(mine, Now.AddSeconds(21), default));
        Assert.Equal(Checkpoints.TrimHorizon, (await store.ListAsync(_stream, default)).Single(l => l.ShardId == seen.ShardId).Checkpoint);
    }

    [Fact]
    public void expiry_is_judged_against_the_given_time()
    {
        var lease = new Lease("s", "sh", "w1", 4, Now, "1", [], 0);
        Assert.False(lease.IsExpired(TimeSpan.FromSeconds(10), Now.AddSeconds(10)));
        Assert.True(lease.IsExpired(TimeSpan.FromSeconds(10), Now.AddSeconds(10.001)));
        Assert.True((lease with { Owner = null }).IsExpired(TimeSpan.FromSeconds(10), Now));
    }
}
