using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.History;
using Sendy.Engine.History.Archive;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.History;

/// <summary>
/// The archive on the real PostgreSQL and moto's S3: a day written as Parquet under Hive-style keys
/// with its manifest, read back independently (AWSSDK.S3, SHA-256 of the bytes, every row compared);
/// retention that drops a day only after its archive is verified and the partition still holds
/// exactly those rows; an interrupted archive and S3 being down, resumed with nothing lost or
/// dropped early; a day restored for replay; the lifecycle rule read back. Each test has its own
/// database (retention drops every day past it) and its own bucket.
/// </summary>
public sealed class PositionArchiveTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Today = new(2034, 5, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Old = new(2033, 10, 31); // past the 180 days' retention on Today
    private const string Fingerprint = """
        SELECT coalesce(md5(string_agg(concat_ws('|', truck_id, recorded_at, received_at, stored_at, ST_AsEWKT(location), speed_mps,
            heading_degrees, accuracy_meters, quality_flag, stream_name, shard_id, sequence_number), ',' ORDER BY truck_id, recorded_at)), '')
        FROM positions WHERE recorded_at >= $1::date AND recorded_at < $1::date + 1
        """;

    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(Today);
    private readonly string _bucket = $"sendy-t-{Guid.NewGuid():N}"[..24];

    public async Task InitializeAsync()
    {
        await LocalServer.EnsureReachableAsync("moto", LocalServer.S3Endpoint);
        await _db.InitializeAsync();
        // The migration made partitions around the real today, years before this test's fake one:
        // empty days the archiver would take first. Each test has its database, so they go.
        await _db.ExecuteAsync("""
            DO $$ DECLARE p text; BEGIN
              FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                       WHERE i.inhparent = 'positions'::regclass AND c.relname <> 'positions_default' LOOP
                EXECUTE format('DROP TABLE %I', p);
              END LOOP;
            END $$
            """);
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private ArchiveOptions Archive(int rowsPerObject = 1_000) => new()
    {
        Enabled = true, Bucket = _bucket, ServiceUrl = LocalServer.S3Endpoint, CreateBucketIfMissing = true,
        RowsPerObject = rowsPerObject, RowsPerRowGroup = rowsPerObject / 2, RequestTimeout = TimeSpan.FromSeconds(60),
    };

    private PositionArchiver Archiver(ArchiveOptions options, IArchiveStore? store = null) =>
        new(_db.DataSource, store ?? new S3ArchiveStore(Options.Create(options)), new PositionPartitions(_db.DataSource, _time), Options.Create(options), _time,
            NullLogger<PositionArchiver>.Instance);

    private PartitionMaintainer Maintainer(ArchiveOptions options) => PositionPartitionTests.Maintainer(_db, _time, archive: options);

    private static AmazonS3Client S3(ArchiveOptions options) => S3ArchiveStore.CreateClient(options);

    /// <summary><paramref name="n"/> fixes of three trucks on <paramref name="day"/>, with microseconds, missing values and flags.</summary>
    private async Task AddDayAsync(DateOnly day, int n, string prefix = "A")
    {
        await using (var connection = await _db.DataSource.OpenConnectionAsync())
            if (!await _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", PositionPartitions.NameOf(day)))
                await PartitionMaintainer.CreateAsync(connection, day, default);
        foreach (var t in new[] { "0", "1", "2" }) await _db.AddTruckAsync($"{prefix}-{t}");
        await _db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                speed_mps, heading_degrees, accuracy_meters, quality_flag)
            SELECT 'sendy-positions', 'shardId-00000000000' || (g % 4), (49650000000000000000 + g)::text, $2 || '-' || (g % 3),
                $1::date + g * interval '7 seconds' + (g % 997) * interval '1 microsecond',
                $1::date + g * interval '7 seconds' + interval '2 seconds', '2034-04-30 01:02:03.456789+00',
                ST_SetSRID(ST_MakePoint(126.9 + g * 0.000013, 37.5 - g * 0.0000071), 4326),
                CASE WHEN g % 5 = 0 THEN NULL ELSE g * 0.1 END, CASE WHEN g % 6 = 0 THEN NULL ELSE g % 360 END,
                CASE WHEN g % 4 = 0 THEN NULL ELSE 3.5 END, CASE WHEN g % 11 = 0 THEN 'impossible-jump' END
            FROM generate_series(1, $3) g
            """, day.ToDateTime(TimeOnly.MinValue), prefix, n);
    }

    private Task<string> FingerprintAsync(DateOnly day) => _db.ScalarAsync<string>(Fingerprint, day.ToDateTime(TimeOnly.MinValue));

    private Task<bool> HeldAsync(DateOnly day) => _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", PositionPartitions.NameOf(day));

    [Fact]
    public async Task a_day_goes_to_s3_as_parquet_under_hive_keys_with_a_manifest_that_an_independent_reader_agrees_with()
    {
        var options = Archive();
        await AddDayAsync(Old, 2_500);
        var archiver = Archiver(options);
        await archiver.PrepareAsync(default);

        var done = await archiver.ArchiveDayAsync(Old, default);

        Assert.Equal(2_500, done.Rows);
        Assert.Equal(3, done.Objects);
        using var s3 = S3(options);
        var listed = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = "positions/date=2033-10-31/" })).S3Objects.Select(o => o.Key).Order().ToArray();
        Assert.Equal(new[]
        {
            "positions/date=2033-10-31/_manifest.json", "positions/date=2033-10-31/part-0000.parquet",
            "positions/date=2033-10-31/part-0001.parquet", "positions/date=2033-10-31/part-0002.parquet",
        }, listed);

        var manifest = ArchiveManifest.Parse(await GetAsync(s3, "positions/date=2033-10-31/_manifest.json"));
        Assert.Equal(Old, manifest.Day);
        Assert.Equal(2_500, manifest.Rows);
        Assert.Equal(new long[] { 1_000, 1_000, 500 }, manifest.Objects.Select(o => o.Rows));
        var rows = new List<string>();
        foreach (var obj in manifest.Objects)
        {
            var bytes = await GetAsync(s3, obj.Key);
            Assert.Equal(obj.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(obj.Bytes, bytes.Length);
            Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
            await foreach (var group in PositionParquet.ReadAsync(bytes, default))
                for (var i = 0; i < group.Count; i++)
                    rows.Add($"{group.TruckId[i]}|{group.RecordedAt[i]:O}|{group.Latitude[i]:R}|{group.Longitude[i]:R}|{group.SpeedMps[i]:R}|{group.QualityFlag[i]}|{group.SequenceNumber[i]}");
        }
        // Every fix, once, to the microsecond and the last bit of the coordinates (the archive keeps the table's order).
        var expected = new List<string>();
        await using (var cmd = _db.DataSource.CreateCommand("""
            SELECT truck_id, recorded_at, ST_Y(location), ST_X(location), speed_mps, quality_flag, sequence_number
            FROM positions WHERE recorded_at >= '2033-10-31' AND recorded_at < '2033-11-01'
            """))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                expected.Add($"{reader.GetString(0)}|{reader.GetFieldValue<DateTime>(1):O}|{reader.GetDouble(2):R}|{reader.GetDouble(3):R}|{(reader.IsDBNull(4) ? null : reader.GetDouble(4)):R}|{(reader.IsDBNull(5) ? null : reader.GetString(5))}|{reader.GetString(6)}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));

        Assert.Equal(2_500L, await _db.ScalarAsync<long>("SELECT rows FROM position_archive_days WHERE day = $1 AND verified_at IS NOT NULL", Old.ToDateTime(TimeOnly.MinValue)));
    }

    [Fact]
    public async Task the_lifecycle_rule_the_archiver_sets_is_what_s3_holds()
    {
        var options = Archive();
        options.Retention = TimeSpan.FromDays(400);
        await Archiver(options).PrepareAsync(default);

        // Read back with a plain unsigned GET (moto answers those as S3): not through the SDK that wrote it.
        using var http = new HttpClient();
        var xml = System.Xml.Linq.XDocument.Parse(await http.GetStringAsync($"{LocalServer.S3Endpoint}/{_bucket}?lifecycle"));
        var rule = Assert.Single(xml.Descendants(), e => e.Name.LocalName == "Rule");
        string? Value(params string[] path) =>
            path.Aggregate((System.Xml.Linq.XElement?)rule, (e, name) => e?.Elements().FirstOrDefault(c => c.Name.LocalName == name))?.Value;
        Assert.Equal(S3ArchiveStore.LifecycleRuleId, Value("ID"));
        Assert.Equal("positions/", Value("Filter", "Prefix"));
        Assert.Equal("400", Value("Expiration", "Days"));
        Assert.Equal("Enabled", Value("Status"));
    }

    [Fact]
    public async Task retention_drops_a_day_only_once_its_archive_is_verified_and_sends_it_back_when_late_fixes_came_after_it()
    {
        var options = Archive();
        await AddDayAsync(Old, 1_200);
        var archiver = Archiver(options);
        await archiver.PrepareAsync(default);

        var pass = await Maintainer(options).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == Old && k.Reason.Contains("not verified"));
        Assert.True(await HeldAsync(Old));

        Assert.Contains(Old, await archiver.DueAsync(default));
        await archiver.ArchiveDueAsync(default);
        Assert.DoesNotContain(Old, await archiver.DueAsync(default));

        // A late fix after the archive: the day is not dropped without it, and goes back to the archiver.
        await _db.AddTruckAsync("LATE");
        await _db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location)
            VALUES ('s', 'sh', '1', 'LATE', '2033-10-31 23:59:59.999999+00', now(), now(), ST_SetSRID(ST_MakePoint(127, 37), 4326))
            """);
        pass = await Maintainer(options).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == Old && k.Reason.Contains("1 fixes arrived after its archive"));
        Assert.True(await HeldAsync(Old));
        Assert.Equal([Old], await archiver.DueAsync(default));
        Assert.Equal(1_201, (await archiver.ArchiveDueAsync(default)).Single(d => d.Day == Old).Rows);

        pass = await Maintainer(options).MaintainOnceAsync(default);
        Assert.Contains(Old, pass.Retention!.Dropped);
        Assert.False(await HeldAsync(Old));
        Assert.True(await _db.ScalarAsync<bool>("SELECT archived FROM position_days_dropped WHERE day = $1", Old.ToDateTime(TimeOnly.MinValue)));
    }

    [Fact]
    public async Task an_archive_cut_off_midway_leaves_the_day_held_and_the_next_pass_writes_it_whole_removing_what_the_cut_left()
    {
        await AddDayAsync(Old, 2_000);
        var killed = new CrashingStore(new S3ArchiveStore(Options.Create(Archive(rowsPerObject: 400))), putsBeforeCrash: 4);
        var first = Archiver(Archive(rowsPerObject: 400), killed);
        await first.PrepareAsync(default);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.ArchiveDueAsync(default));

        using var s3 = S3(Archive());
        var left = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = "positions/date=2033-10-31/" })).S3Objects?.Select(o => o.Key).ToArray() ?? [];
        Assert.Equal(4, left.Length); // four parts of 400, no manifest
        Assert.DoesNotContain(left, k => k.EndsWith("_manifest.json", StringComparison.Ordinal));
        var pass = await Maintainer(Archive()).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == Old);
        var before = await FingerprintAsync(Old);

        // Resumed by a new process (1,000 rows an object this time): two parts and the manifest; the cut's third and fourth part are gone.
        var done = await Archiver(Archive()).ArchiveDueAsync(default);
        Assert.Equal(2_000, done.Single(d => d.Day == Old).Rows);
        var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = "positions/date=2033-10-31/" })).S3Objects.Select(o => o.Key).Order().ToArray();
        Assert.Equal(new[] { "positions/date=2033-10-31/_manifest.json", "positions/date=2033-10-31/part-0000.parquet", "positions/date=2033-10-31/part-0001.parquet" }, keys);

        pass = await Maintainer(Archive()).MaintainOnceAsync(default);
        Assert.Contains(Old, pass.Retention!.Dropped);
        Assert.Equal(2_000, await Archiver(Archive()).RestoreDayAsync(Old, default));
        Assert.Equal(before, await FingerprintAsync(Old));
    }

    [Fact]
    public async Task with_s3_down_the_failure_is_kept_on_the_day_retried_with_backoff_and_nothing_is_dropped()
    {
        await AddDayAsync(Old, 300);
        var down = Archive();
        down.ServiceUrl = "http://127.0.0.1:9"; // nothing listens there
        down.RequestTimeout = TimeSpan.FromSeconds(5);
        var archiver = Archiver(down);

        Assert.DoesNotContain(await archiver.ArchiveDueAsync(default), d => d.Day == Old);

        var (attempts, error, next) = await ArchiveStateAsync(Old);
        Assert.Equal(1, attempts);
        Assert.Contains("S3 bucket", error);
        Assert.InRange(next - Today, PositionArchiver.RetryFirst / 2, PositionArchiver.RetryFirst);
        Assert.DoesNotContain(Old, await archiver.DueAsync(default)); // waits for its retry
        var pass = await Maintainer(Archive()).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == Old && k.Reason.Contains("not verified"));
        Assert.True(await HeldAsync(Old));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(await archiver.ArchiveDueAsync(default), d => d.Day == Old);
        (attempts, _, next) = await ArchiveStateAsync(Old);
        Assert.Equal(2, attempts);
        Assert.InRange(next - _time.GetUtcNow(), PositionArchiver.RetryFirst, PositionArchiver.RetryFirst * 2); // doubled

        // S3 is back: the day goes at its next try, and the failure is cleared.
        _time.Advance(TimeSpan.FromMinutes(2));
        var ok = Archiver(Archive());
        await ok.PrepareAsync(default);
        Assert.Equal(300, (await ok.ArchiveDueAsync(default)).Single(d => d.Day == Old).Rows);
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT attempts FROM position_archive_days WHERE day = $1 AND last_error IS NULL", Old.ToDateTime(TimeOnly.MinValue)));
    }

    [Fact]
    public async Task a_dropped_day_is_restored_whole_from_the_archive_held_against_retention_and_a_tampered_object_is_refused()
    {
        var options = Archive();
        await AddDayAsync(Old, 1_500);
        var before = await FingerprintAsync(Old);
        var archiver = Archiver(options);
        await archiver.PrepareAsync(default);
        await archiver.ArchiveDayAsync(Old, default);
        Assert.Contains(Old, (await Maintainer(options).MaintainOnceAsync(default)).Retention!.Dropped);
        Assert.Equal("", await FingerprintAsync(Old));

        Assert.Equal(1_500, await archiver.RestoreDayAsync(Old, default));
        Assert.Equal(before, await FingerprintAsync(Old));
        Assert.Equal("positions_20331031", await _db.ScalarAsync<string>("SELECT DISTINCT tableoid::regclass::text FROM positions WHERE recorded_at >= '2033-10-31' AND recorded_at < '2033-11-01'"));
        Assert.Equal(0, await archiver.RestoreDayAsync(Old, default)); // again: nothing doubled

        var pass = await Maintainer(options).MaintainOnceAsync(default);
        Assert.Contains(pass.Retention!.Kept, k => k.Day == Old && k.Reason.Contains("restored"));
        _time.Advance(options.RestoredFor + TimeSpan.FromMinutes(1));
        pass = await Maintainer(options).MaintainOnceAsync(default);
        Assert.Contains(Old, pass.Retention!.Dropped); // its archive still holds exactly these rows

        // An object changed in the bucket behind the archive's back is refused, nothing is added.
        using var s3 = S3(options);
        var key = "positions/date=2033-10-31/part-0001.parquet";
        var bytes = await GetAsync(s3, key);
        bytes[^100] ^= 0xFF;
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = key, InputStream = new MemoryStream(bytes) });
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => archiver.RestoreDayAsync(Old, default));
        Assert.Contains("SHA-256", refused.Message);
        await Assert.ThrowsAsync<ArchiveDayNotFoundException>(() => archiver.RestoreDayAsync(Old.AddDays(-1), default));
    }

    [Fact]
    public void options_name_what_is_missing()
    {
        static List<ValidationResult> Errors(ArchiveOptions o)
        {
            var errors = new List<ValidationResult>();
            Validator.TryValidateObject(o, new ValidationContext(o), errors, true);
            return errors;
        }
        Assert.Contains(Errors(new ArchiveOptions { Enabled = true }), e => e.ErrorMessage!.Contains("Bucket"));
        Assert.Contains(Errors(new ArchiveOptions { RowsPerObject = 1_000, RowsPerRowGroup = 5_000 }), e => e.ErrorMessage!.Contains("RowsPerRowGroup"));
        Assert.Contains(Errors(new ArchiveOptions { ServiceUrl = "not a url" }), e => e.ErrorMessage!.Contains("ServiceUrl"));
        Assert.Empty(Errors(new ArchiveOptions()));
        Assert.Empty(Errors(new ArchiveOptions { Enabled = true, Bucket = "b" }));
    }

    private async Task<(int Attempts, string Error, DateTimeOffset Next)> ArchiveStateAsync(DateOnly day)
    {
        await using var cmd = _db.DataSource.CreateCommand("SELECT attempts, last_error, next_attempt_at FROM position_archive_days WHERE day = $1");
        cmd.Parameters.Add(new() { Value = day });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
    }

    private async Task<byte[]> GetAsync(AmazonS3Client s3, string key)
    {
        using var response = await s3.GetObjectAsync(_bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Stands for the process being killed: after <c>putsBeforeCrash</c> objects, every call stops as a kill would.</summary>
    private sealed class CrashingStore(IArchiveStore inner, int putsBeforeCrash) : IArchiveStore
    {
        private int _puts;

        public Task PrepareAsync(string prefix, int keepDays, CancellationToken cancellationToken) => inner.PrepareAsync(prefix, keepDays, cancellationToken);

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _puts) > putsBeforeCrash ? throw new OperationCanceledException("killed") : inner.PutAsync(key, content, contentType, cancellationToken);

        public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<IReadOnlyList<ArchiveObject>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);
    }
}
