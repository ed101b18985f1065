using Sendy.Engine.Leasing;
using Sendy.Engine.Leasing.InMemory;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Leasing;

/// <summary>The behaviour every lease store must have; run against each adapter.</summary>
public abstract class LeaseStoreComplianceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private readonly string _stream = "s-" + Guid.NewGuid().ToString("N")[..8];

    protected abstract ILeaseStore Store { get; }

    private async Task<Lease> NewLeaseAsync(string shard = "shardId-000000000000", params string[] parents)
    {
        Assert.True(await Store.CreateIfMissingAsync(new Lease(_stream, shard, null, 0, null, Checkpoints.TrimHorizon, parents, 0), default));
        return (await Store.ListAsync(_stream, default)).Single(l => l.ShardId == shard);
    }

    [Fact]
    public async Task creating_twice_keeps_the_first_row()
    {
        await NewLeaseAsync("shardId-1", "p1", "p2");
        Assert.False(await Store.CreateIfMissingAsync(new Lease(_stream, "shardId-1", "x", 9, Now, "123", [], 0), default));
        var row = (await Store.ListAsync(_stream, default)).Single();
        Assert.Equal((null, 0L, Checkpoints.TrimHorizon), (row.Owner, row.Counter, row.Checkpoint));
        Assert.Equal(["p1", "p2"], row.ParentShardIds);
    }

    [Fact]
    public async Task listing_is_per_stream_and_ordered_by_shard()
    {
        await NewLeaseAsync("shardId-2");
        await NewLeaseAsync("shardId-1");
        await Store.CreateIfMissingAsync(new Lease("other-" + _stream, "shardId-9", null, 0, null, Checkpoints.TrimHorizon, [], 0), default);
        Assert.Equal(["shardId-1", "shardId-2"], (await Store.ListAsync(_stream, default)).Select(l => l.ShardId));
    }

    [Fact]
    public async Task take_renew_checkpoint_release_each_move_the_counter()
    {
        var lease = await NewLeaseAsync();
        var taken = await Store.TakeAsync(lease, "w1", Now, default);
        Assert.Equal(("w1", 1L, 1, Now), (taken.Owner, taken.Counter, taken.OwnerSwitchesSinceCheckpoint, taken.LastRenewedAt!.Value));
        var renewed = await Store.RenewAsync(taken, Now.AddSeconds(3), default);
        Assert.Equal((2L, Now.AddSeconds(3)), (renewed.Counter, renewed.LastRenewedAt!.Value));
        var checkpointed = await Store.CheckpointAsync(renewed, "123", default);
        Assert.Equal(("123", 3L, 0), (checkpointed.Checkpoint, checkpointed.Counter, checkpointed.OwnerSwitchesSinceCheckpoint));
        await Store.ReleaseAsync(checkpointed, default);
        var released = (await Store.ListAsync(_stream, default)).Single();
        Assert.Equal((null, 4L, "123"), (released.Owner, released.Counter, released.Checkpoint));
        Assert.True(released.IsExpired(TimeSpan.FromSeconds(10), Now));
    }

    [Fact]
    public async Task two_workers_taking_the_same_lease_one_loses_with_a_typed_exception()
    {
        var seen = await NewLeaseAsync();
        await Store.TakeAsync(seen, "w1", Now, default);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.TakeAsync(seen, "w2", Now, default));
    }

    [Fact]
    public async Task checkpoint_after_lease_lost_throws_and_changes_nothing()
    {
        var seen = await NewLeaseAsync();
        var mine = await Store.TakeAsync(seen, "w1", Now, default);
        var stolen = await Store.TakeAsync(mine, "w2", Now.AddSeconds(20), default);
        Assert.Equal(2, stolen.OwnerSwitchesSinceCheckpoint);

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.CheckpointAsync(mine, "999", default));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RenewAsync(mine, Now.AddSeconds(21), default));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.ReleaseAsync(mine, default));
        var row = (await Store.ListAsync(_stream, default)).Single();
        Assert.Equal(("w2", Checkpoints.TrimHorizon, stolen.Counter), (row.Owner, row.Checkpoint, row.Counter));
    }

    [Fact]
    public async Task an_owner_write_with_the_right_counter_but_another_owner_is_refused()
    {
        var seen = await NewLeaseAsync();
        var mine = await Store.TakeAsync(seen, "w1", Now, default);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RenewAsync(mine with { Owner = "w2" }, Now, default));
    }

    [Fact]
    public async Task writes_to_a_missing_lease_throw_lease_lost()
    {
        var ghost = new Lease(_stream, "shardId-ghost", "w1", 1, Now, Checkpoints.TrimHorizon, [], 0);
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.RenewAsync(ghost, Now, default));
        await Assert.ThrowsAsync<LeaseLostException>(() => Store.TakeAsync(ghost, "w2", Now, default));
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

public sealed class PostgresLeaseStoreComplianceTests(TestDatabase db) : LeaseStoreComplianceTests, IClassFixture<TestDatabase>
{
    protected override ILeaseStore Store { get; } = new PostgresLeaseStore(db.DataSource);
}

public sealed class InMemoryLeaseStoreComplianceTests : LeaseStoreComplianceTests
{
    protected override ILeaseStore Store { get; } = new InMemoryLeaseStore();
}
