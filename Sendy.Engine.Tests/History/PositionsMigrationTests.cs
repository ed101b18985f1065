using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.History;

/// <summary>
/// The migration that makes <c>positions</c> partitioned by day converts a table holding fixes in
/// place: its own database (a copy of the migrated template) is taken back to the migration
/// before, filled, and migrated again.
/// </summary>
public sealed class PositionsMigrationTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private const string Before = "20261206001318_Webhooks";

    private async Task MigrateAsync(string? target)
    {
        var options = new DbContextOptionsBuilder<SendyDbContext>();
        SendyDatabase.Configure(options, db.ConnectionString);
        await using var context = new SendyDbContext(options.Options);
        await context.GetService<IMigrator>().MigrateAsync(target);
    }

    private Task<string> KindAsync() => db.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE relname = 'positions' AND relnamespace = 'public'::regnamespace");

    /// <summary>Every row as text, in key order: what must survive the conversion unchanged.</summary>
    private async Task<List<string>> RowsAsync()
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT concat_ws('|', stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, ST_AsText(location),
                               speed_mps, heading_degrees, accuracy_meters, quality_flag)
            FROM positions ORDER BY truck_id, recorded_at
            """);
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task an_unpartitioned_table_with_fixes_becomes_daily_partitions_without_losing_a_row()
    {
        await MigrateAsync(Before);
        Assert.Equal("r", await KindAsync()); // the plain table, as before the migration

        // Fixes over three days long past, today, and one flagged; by two trucks.
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                                   speed_mps, heading_degrees, accuracy_meters, quality_flag)
            SELECT 's', 'shardId-000000000000', lpad(n::text, 20, '0'), CASE WHEN n % 2 = 0 THEN 'M-1' ELSE 'M-2' END,
                   timestamptz '2025-03-01 22:00:00+00' + n * interval '1 minute', now(), now(),
                   ST_SetSRID(ST_MakePoint(127 + n * 0.0001, 37), 4326), 10, 90, 5, CASE WHEN n = 7 THEN 'impossible_jump' END
            FROM generate_series(1, 3000) AS n;
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            VALUES ('s', 'shardId-000000000001', '1', 'M-1', now(), now(), now(), ST_SetSRID(ST_MakePoint(127, 37), 4326));
            """);
        var before = await RowsAsync();

        await MigrateAsync(null);

        Assert.Equal("p", await KindAsync());
        Assert.Equal(before, await RowsAsync());
        var partitions = await db.ScalarAsync<string[]>("""
            SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'positions'::regclass
            """);
        Assert.Contains("positions_20250301", partitions); // 22:00 on the 1st ...
        Assert.Contains("positions_20250303", partitions); // ... to 00:00 on the 3rd (3,000 minutes)
        Assert.Contains("positions_default", partitions);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Contains("positions_" + today.AddDays(7).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), partitions);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM positions_default"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE quality_flag IS NOT NULL"));

        // The key still holds across the partitions' union, and the indexes came along.
        var duplicate = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            SELECT stream_name, shard_id, '9', truck_id, recorded_at, received_at, stored_at, location FROM positions WHERE quality_flag IS NOT NULL
            """));
        Assert.Equal("23505", duplicate.SqlState);
        var indexes = await db.ScalarAsync<string[]>("SELECT array_agg(indexname::text ORDER BY indexname) FROM pg_indexes WHERE tablename = 'positions'");
        Assert.Equal(["ix_positions_flagged", "ix_positions_stored_at", "pk_positions"], indexes);
    }
}
