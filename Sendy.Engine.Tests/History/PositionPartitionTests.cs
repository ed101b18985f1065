using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Consumers;
using Sendy.Engine.History;
using Sendy.Engine.History.Archive;
using Sendy.Engine.Leasing;
using Sendy.Engine.Search.OpenSearch;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.History;

/// <summary>
/// Daily partitions of <c>positions</c> on the real PostgreSQL: the job that creates them ahead
/// and places fixes that waited in the default partition, and the batch writer across midnight,
/// replays, and days without a partition. Each test has its own stretch of days (far from today,
/// which the migration already covers), so the shared database does not mix them.
/// </summary>
public sealed class PositionPartitionTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    /// <summary>The partition job with its retention; the OpenSearch export off unless <paramref name="search"/> says otherwise.</summary>
    internal static PartitionMaintainer Maintainer(TestDatabase db, TimeProvider time, PositionPartitions? partitions = null, OpenSearchOptions? search = null,
        ArchiveOptions? archive = null)
    {
        var options = Options.Create(new HistoryOptions());
        var retention = new PositionRetention(options, Options.Create(archive ?? new ArchiveOptions()),
            new StaticOptionsMonitor<OpenSearchOptions>(search ?? new OpenSearchOptions()), time,
            NullLogger<PositionRetention>.Instance);
        return new(db.DataSource, partitions ?? new PositionPartitions(db.DataSource, time), retention, options, time, NullLogger<PartitionMaintainer>.Instance);
    }

    private Task<List<string>> PartitionsAsync() => ListAsync("""
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'positions'::regclass ORDER BY 1
        """);

    private async Task<List<string>> ListAsync(string sql, params object[] args)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    /// <summary>"partition: count" of a truck's stored fixes.</summary>
    private Task<List<string>> WhereStoredAsync(string truck) => ListAsync("""
        SELECT p || ': ' || n FROM (SELECT tableoid::regclass::text AS p, count(*) AS n FROM positions WHERE truck_id = $1 GROUP BY 1) AS x ORDER BY 1
        """, truck);

    private static ShardFix Fix(string truck, DateTimeOffset at, int sequence) => new(sequence.ToString("D20", CultureInfo.InvariantCulture), truck,
        new TruckPosition(truck, 37.5, 127.0 + sequence * 0.0001, at, at.AddSeconds(1), 8, 90, 5), ReadOnlyMemory<byte>.Empty);

    private async Task<(string Stream, string Truck, Lease Lease)> SetUpAsync()
    {
        var stream = "p-" + Guid.NewGuid().ToString("N")[..8];
        var truck = "P-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        var leases = new PostgresLeaseStore(db.DataSource);
        var lease = new Lease(stream, "shardId-000000000000", null, 0, null, Checkpoints.TrimHorizon, [], 0);
        await leases.CreateIfMissingAsync(lease, default);
        return (stream, truck, await leases.TakeAsync((await leases.ListAsync(stream, default)).Single(), "partition-test", DateTimeOffset.UtcNow, default));
    }

    private static PositionBatch Batch(string stream, IReadOnlyList<ShardFix> fixes) => new(stream, "shardId-000000000000", fixes, [], fixes[^1].SequenceNumber);

    [Fact]
    public async Task the_job_creates_yesterday_to_a_week_ahead_and_a_second_pass_finds_nothing_to_do()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 3, 10, 23, 30, 0, TimeSpan.Zero));
        var pass = await Maintainer(db, time).MaintainOnceAsync(default);

        Assert.True(pass.Ran);
        Assert.Equal(Enumerable.Range(-1, 9).Select(d => new DateOnly(2031, 3, 10).AddDays(d)), pass.Created);
        var partitions = await PartitionsAsync();
        Assert.Contains("positions_20310309", partitions);
        Assert.Contains("positions_20310317", partitions);
        Assert.Contains("positions_default", partitions);
        Assert.Empty((await Maintainer(db, time).MaintainOnceAsync(default)).Created);

        // The bounds are whole UTC days: the last instant of the 10th is in its partition, midnight in the next.
        await db.AddTruckAsync("P-BOUNDS");
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            VALUES ('s', 'sh', '1', 'P-BOUNDS', '2031-03-10 23:59:59.999+00', now(), now(), ST_SetSRID(ST_MakePoint(127, 37), 4326)),
                   ('s', 'sh', '2', 'P-BOUNDS', '2031-03-11 09:00:00+09', now(), now(), ST_SetSRID(ST_MakePoint(127, 37), 4326))
            """);
        Assert.Equal(["positions_20310310: 1", "positions_20310311: 1"], await WhereStoredAsync("P-BOUNDS"));
    }

    [Fact]
    public async Task fixes_across_midnight_go_to_their_days_partitions_and_a_replay_is_stored_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var partitions = new PositionPartitions(db.DataSource, time);
        await Maintainer(db, time, partitions).MaintainOnceAsync(default);
        var (stream, truck, lease) = await SetUpAsync();
        var writer = new PostgresPositionBatchWriter(db.DataSource, time, partitions: partitions);
        var midnight = new DateTimeOffset(2031, 6, 2, 0, 0, 0, TimeSpan.Zero);
        var page = Enumerable.Range(0, 10).Select(i => Fix(truck, midnight.AddSeconds((i - 5) * 5), i)).ToList();

        var first = await writer.WriteAsync(Batch(stream, page), lease, default);
        var again = await writer.WriteAsync(Batch(stream, page), first.Lease, default); // the same page read again after a crash

        Assert.Equal(0, first.Unplaced);
        Assert.Equal(10, first.Stored.Count);
        Assert.Equal(0, again.Unplaced);
        Assert.Equal(["positions_20310601: 5", "positions_20310602: 5"], await WhereStoredAsync(truck));
    }

    [Fact]
    public async Task a_fix_for_a_day_without_a_partition_waits_in_the_default_partition_counted_and_the_job_places_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2032, 1, 20, 8, 0, 0, TimeSpan.Zero));
        var partitions = new PositionPartitions(db.DataSource, time);
        await Maintainer(db, time, partitions).MaintainOnceAsync(default);
        var (stream, truck, lease) = await SetUpAsync();
        var writer = new PostgresPositionBatchWriter(db.DataSource, time, partitions: partitions);
        var late = Fix(truck, new DateTimeOffset(2031, 11, 2, 10, 0, 0, TimeSpan.Zero), 1); // 79 days late: that day has no partition
        var early = Fix(truck, new DateTimeOffset(2032, 3, 1, 10, 0, 0, TimeSpan.Zero), 2); // a clock 40 days ahead
        var now = Fix(truck, time.GetUtcNow(), 3);

        var result = await writer.WriteAsync(Batch(stream, [late, early, now]), lease, default);
        var replayed = await writer.WriteAsync(Batch(stream, [late, early, now]), result.Lease, default);

        Assert.Equal(2, result.Unplaced);
        Assert.Equal(0, replayed.Unplaced); // stored already: nothing new to place
        Assert.Equal(["positions_20320120: 1", "positions_default: 2"], await WhereStoredAsync(truck));
        Assert.Equal(now.SequenceNumber, (await new PostgresLeaseStore(db.DataSource).ListAsync(stream, default)).Single().Checkpoint);

        // The job gives the late day its partition and moves the fix in; the one from the future
        // waits until its day is within the week ahead.
        var pass = await Maintainer(db, time, partitions).MaintainOnceAsync(default);
        Assert.Contains(new DateOnly(2031, 11, 2), pass.Created);
        Assert.True(pass.MovedFromDefault >= 1);
        Assert.Equal(["positions_20311102: 1", "positions_20320120: 1", "positions_default: 1"], await WhereStoredAsync(truck));

        // Replayed once more after the move: still stored once, now checked against its own partition.
        await writer.WriteAsync(Batch(stream, [late, early, now]), replayed.Lease, default);
        Assert.Equal(["positions_20311102: 1", "positions_20320120: 1", "positions_default: 1"], await WhereStoredAsync(truck));

        time.SetUtcNow(new DateTimeOffset(2032, 2, 25, 0, 0, 0, TimeSpan.Zero));
        await Maintainer(db, time, partitions).MaintainOnceAsync(default);
        Assert.Equal(["positions_20311102: 1", "positions_20320120: 1", "positions_20320301: 1"], await WhereStoredAsync(truck));
    }

    [Fact]
    public async Task a_closed_day_is_vacuumed_and_its_key_rebuilt_once_by_the_job_and_its_trail_then_reads_the_primary_key_alone()
    {
        // A day within retention (180 days), so the pass keeps it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var day = PositionPartitions.DayOf(time.GetUtcNow()).AddDays(-20);
        var truck = "P-" + Guid.NewGuid().ToString("N")[..8];
        await db.AddTruckAsync(truck);
        if (!await db.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", PositionPartitions.NameOf(day)))
            await using (var connection = await db.DataSource.OpenConnectionAsync())
                await PartitionMaintainer.CreateAsync(connection, day, default);
        var from = PositionPartitions.StartOf(day);
        // Committed as the app's sessions commit (the test cluster's default is asynchronous, and
        // VACUUM leaves a page unmarked while its rows' commit is not yet flushed).
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var sync = new Npgsql.NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, tx))
                await sync.ExecuteNonQueryAsync();
            await using var insert = new Npgsql.NpgsqlCommand("""
                INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees)
                SELECT 's', 'sh', i::text, $1, $2 + interval '8 hours' + i * interval '5 seconds', now(), now(),
                       ST_SetSRID(ST_MakePoint(127 + i * 0.0001, 37), 4326), 8, 90
                FROM generate_series(1, 300) AS i
                """, connection, tx) { Parameters = { new() { Value = truck }, new() { Value = from } } };
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        // Fresh rows: the key holds every column the trail reads, but the pages are not yet all-visible.
        var before = await ExplainTrailAsync(truck, from);
        Assert.True(before.Contains("Heap Fetches: 300", StringComparison.Ordinal), before);

        var key = $"{PositionPartitions.NameOf(day)}_pkey";
        var keyFileBefore = await db.ScalarAsync<long>("SELECT pg_relation_filenode($1::regclass)::bigint", key);
        var vacuumed = new List<DateOnly>();
        var rebuilt = new List<DateOnly>();
        for (var pass = 0; pass < 200 && !(vacuumed.Contains(day) && rebuilt.Contains(day)); pass++)
        {
            var done = await Maintainer(db, time).MaintainOnceAsync(default);
            Assert.True(done.Vacuumed!.Count <= PartitionMaintainer.VacuumsPerPass);
            Assert.True(done.KeysRebuilt!.Count <= 1);
            if (done.Vacuumed.Count == 0 && done.KeysRebuilt.Count == 0) break;
            vacuumed.AddRange(done.Vacuumed);
            rebuilt.AddRange(done.KeysRebuilt);
        }
        Assert.Contains(day, vacuumed);
        Assert.DoesNotContain(PositionPartitions.DayOf(time.GetUtcNow()), vacuumed); // today is open: never vacuumed by the job
        // Its key was rebuilt (a new file), and is still the partition's valid primary key, attached to positions'.
        Assert.Contains(day, rebuilt);
        Assert.NotEqual(keyFileBefore, await db.ScalarAsync<long>("SELECT pg_relation_filenode($1::regclass)::bigint", key));
        Assert.True(await db.ScalarAsync<bool>("""
            SELECT i.indisvalid AND i.indisprimary AND EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid AND h.inhparent = 'pk_positions'::regclass)
            FROM pg_index i WHERE i.indexrelid = $1::regclass
            """, key));

        var plan = await ExplainTrailAsync(truck, from);
        Assert.True(plan.Contains($"Index Only Scan using {PositionPartitions.NameOf(day)}_pkey", StringComparison.Ordinal)
            && plan.Contains("Heap Fetches: 0", StringComparison.Ordinal), plan);
        var again = await Maintainer(db, time).MaintainOnceAsync(default);
        Assert.DoesNotContain(day, again.Vacuumed!); // all-visible now: left alone
        Assert.DoesNotContain(day, again.KeysRebuilt!); // rebuilt once

        // Fixes that came late unmark their pages; the next pass after an ANALYZE counts them and vacuums the day again.
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            SELECT 's', 'sh', i::text, $1, $2 + interval '20 hours' + i * interval '1 second', now(), now(), ST_SetSRID(ST_MakePoint(127, 37), 4326)
            FROM generate_series(1, 2000) AS i
            """, truck, from);
        await db.ExecuteAsync($"ANALYZE {PositionPartitions.NameOf(day)}");
        var late = await Maintainer(db, time).MaintainOnceAsync(default);
        Assert.Contains(day, late.Vacuumed!);
        Assert.DoesNotContain(day, late.KeysRebuilt!);
    }

    /// <summary>The trail statement's plan as it ran, with scans of whole tables ruled out (a 300-row day would be read whole).</summary>
    private async Task<string> ExplainTrailAsync(string truck, DateTimeOffset from)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var off = new Npgsql.NpgsqlCommand("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off", connection, tx))
            await off.ExecuteNonQueryAsync();
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + SimplifiedTrail.Sql, connection, tx);
        SimplifiedTrail.AddParameters(explain, truck, from, from.AddDays(1), 2_000, new TrailOptions());
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join("\n", lines);
    }
}
