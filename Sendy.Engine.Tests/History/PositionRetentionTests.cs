using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.History;
using Sendy.Engine.Search;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.History;

/// <summary>
/// Retention on the real PostgreSQL, in a database of its own (its passes drop every day older
/// than 180 days before its fake today, the migration's days included).
/// </summary>
public sealed class PositionRetentionTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Today = new(2034, 5, 1, 6, 0, 0, TimeSpan.Zero);

    private async Task AddFixAsync(string truck, string at, string storedAt = "now()")
    {
        await db.AddTruckAsync(truck);
        await db.ExecuteAsync($"""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            VALUES ('s', 'sh', '1', $1, $2::timestamptz, now(), {storedAt}, ST_SetSRID(ST_MakePoint(127, 37), 4326))
            """, truck, at);
    }

    private Task<long> CountAsync(string truck) => db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);

    private Task<bool> HeldAsync(string partition) => db.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", partition);

    [Fact]
    public async Task a_day_past_retention_leaves_by_dropping_its_partition_is_recorded_and_newer_days_stay()
    {
        var time = new FakeTimeProvider(Today);
        await AddFixAsync("R-OLD", "2033-10-31 12:00:00+00"); // 182 days before: past 180
        await AddFixAsync("R-KEPT", "2033-11-03 12:00:00+00"); // 179 days before: kept

        await db.ExecuteAsync("INSERT INTO position_day_keys_rebuilt (day, rebuilt_at) VALUES ('2033-10-31', now())");

        var pass = await PositionPartitionTests.Maintainer(db, time).MaintainOnceAsync(default);

        Assert.Contains(new DateOnly(2033, 10, 31), pass.Retention!.Dropped);
        Assert.False(await db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM position_day_keys_rebuilt WHERE day = '2033-10-31')")); // a day placed again has a new key
        Assert.DoesNotContain(new DateOnly(2033, 11, 3), pass.Retention.Dropped);
        Assert.False(await HeldAsync("positions_20331031"));
        Assert.False(await HeldAsync(PositionRetention.LeavingPrefix + "positions_20331031")); // detached, then its files removed
        Assert.True(await HeldAsync("positions_20331103"));
        Assert.Equal(0L, await CountAsync("R-OLD"));
        Assert.Equal(1L, await CountAsync("R-KEPT"));
        Assert.False(await db.ScalarAsync<bool>("SELECT archived FROM position_days_dropped WHERE day = '2033-10-31'"));
        Assert.True(await db.ScalarAsync<long>("SELECT bytes FROM position_days_dropped WHERE day = '2033-10-31'") > 0);

        // A fix for the dropped day that comes in afterwards waits in the default partition, is
        // placed in a partition of its day again at the next pass, and leaves with it.
        await AddFixAsync("R-LATE", "2033-10-31 13:00:00+00");
        Assert.Equal("positions_default", await db.ScalarAsync<string>("SELECT tableoid::regclass::text FROM positions WHERE truck_id = 'R-LATE'"));
        pass = await PositionPartitionTests.Maintainer(db, time).MaintainOnceAsync(default);
        Assert.Contains(new DateOnly(2033, 10, 31), pass.Created);
        Assert.Contains(new DateOnly(2033, 10, 31), pass.Retention!.Dropped);
        Assert.Equal(0L, await CountAsync("R-LATE"));

        // What the admin's page reads.
        await AddFixAsync("R-AHEAD", "2034-07-01 00:00:00+00"); // two months ahead: waits in the default partition
        var history = await new PositionHistoryQueries(db.DataSource, Options.Create(new HistoryOptions()), Options.Create(new Sendy.Engine.History.Archive.ArchiveOptions())).GetAsync(50, default);
        Assert.Contains(history.Held, d => d.Day == new DateOnly(2033, 11, 3) && d.Partition == "positions_20331103" && d.Bytes > 0);
        Assert.DoesNotContain(history.Held, d => d.Day == new DateOnly(2033, 10, 31));
        Assert.Contains(history.Dropped, d => d.Day == new DateOnly(2033, 10, 31) && !d.Archived);
        Assert.Equal(1, history.Unplaced);
        Assert.Equal(TimeSpan.FromDays(180), history.Retention);
    }

    [Fact]
    public async Task a_day_detached_by_a_pass_that_stopped_before_removing_it_is_removed_by_the_next_pass()
    {
        var time = new FakeTimeProvider(Today);
        await PositionPartitionTests.Maintainer(db, time).MaintainOnceAsync(default); // whatever else is due goes first
        await AddFixAsync("R-HALF", "2033-06-02 12:00:00+00");
        await using (var connection = await db.DataSource.OpenConnectionAsync())
            await PartitionMaintainer.CreateAsync(connection, new DateOnly(2033, 6, 2), default);
        // What the first step of a drop leaves: the day out of positions, renamed, its files still there.
        await db.ExecuteAsync($"""
            ALTER TABLE positions DETACH PARTITION positions_20330602;
            ALTER TABLE positions_20330602 RENAME TO {PositionRetention.LeavingPrefix}positions_20330602;
            """);
        Assert.Equal(0L, await CountAsync("R-HALF"));
        Assert.True(await HeldAsync(PositionRetention.LeavingPrefix + "positions_20330602"));

        var pass = await PositionPartitionTests.Maintainer(db, time).MaintainOnceAsync(default);

        Assert.Empty(pass.Retention!.Dropped);
        Assert.False(await HeldAsync(PositionRetention.LeavingPrefix + "positions_20330602"));
        Assert.True(await HeldAsync("positions_default"));
    }

    [Fact]
    public async Task while_the_opensearch_export_is_on_a_day_is_kept_until_its_watermark_has_passed_every_fix_in_it()
    {
        var time = new FakeTimeProvider(Today);
        var search = new OpenSearchOptions { Enabled = true, Url = "http://127.0.0.1:9" };
        await AddFixAsync("R-EXPORT", "2033-09-01 12:00:00+00", "'2034-04-30 10:00:00+00'"); // stored late: a backlog the export has not reached

        var pass = await PositionPartitionTests.Maintainer(db, time, search: search).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == new DateOnly(2033, 9, 1) && k.Reason.Contains("OpenSearch"));
        Assert.Equal(1L, await CountAsync("R-EXPORT"));

        await db.ExecuteAsync("""
            INSERT INTO export_watermarks (name, stored_at, stream_name, shard_id, sequence_number, updated_at)
            VALUES ($1, '2034-04-30 09:00:00+00', '', '', '', now())
            ON CONFLICT (name) DO UPDATE SET stored_at = excluded.stored_at
            """, PositionExportJob.WatermarkName);
        pass = await PositionPartitionTests.Maintainer(db, time, search: search).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == new DateOnly(2033, 9, 1));

        await db.ExecuteAsync("UPDATE export_watermarks SET stored_at = '2034-04-30 11:00:00+00' WHERE name = $1", PositionExportJob.WatermarkName);
        pass = await PositionPartitionTests.Maintainer(db, time, search: search).MaintainOnceAsync(default);
        Assert.Contains(new DateOnly(2033, 9, 1), pass.Retention!.Dropped);
        Assert.Equal(0L, await CountAsync("R-EXPORT"));
    }
}
