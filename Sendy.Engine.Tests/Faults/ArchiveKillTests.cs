using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.History;
using Sendy.Engine.History.Archive;
using Sendy.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Faults;

/// <summary>
/// The console as a real process archiving a day to moto's S3 (through a proxy that makes S3 slow),
/// SIGKILLed after the day's first object is in the bucket and before its manifest: nothing is
/// dropped early, and a new process archives the day whole, removes what the killed one left, and
/// only then does retention drop it; the day restored from the archive is the day that was there.
/// </summary>
public sealed class ArchiveKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PrivatePostgres _pg = null!;
    private PrivateKinesalite _kinesalite = null!;
    private TcpProxy _s3 = null!;
    private readonly List<ConsoleProcess> _consoles = [];
    private readonly string _bucket = $"sendy-kill-{Guid.NewGuid():N}"[..24];
    private const int Rows = 100_000;
    private const int RowsPerObject = 10_000;

    public async Task InitializeAsync()
    {
        await LocalServer.EnsureReachableAsync("moto", LocalServer.S3Endpoint);
        _pg = await PrivatePostgres.StartAsync();
        _kinesalite = await PrivateKinesalite.StartAsync();
        _s3 = new TcpProxy(new Uri(LocalServer.S3Endpoint).Port);
        _s3.Up();
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _consoles)
        {
            output.WriteLine(c.Log.Length > 20_000 ? c.Log[^20_000..] : c.Log);
            await c.DisposeAsync();
        }
        await _s3.DisposeAsync();
        await _kinesalite.DisposeAsync();
        await _pg.DisposeAsync();
    }

    private ArchiveOptions Archive(string serviceUrl) => new()
    {
        Enabled = true, Bucket = _bucket, ServiceUrl = serviceUrl, CreateBucketIfMissing = true, After = TimeSpan.Zero,
        RowsPerObject = RowsPerObject, RowsPerRowGroup = RowsPerObject / 2, RequestTimeout = TimeSpan.FromMinutes(2),
    };

    private async Task<ConsoleProcess> StartConsoleAsync(string workerId)
    {
        var o = Archive($"http://127.0.0.1:{_s3.Port}");
        var console = new ConsoleProcess(_pg.ConnectionString, _kinesalite.Endpoint, "archive-kill", workerId, new Dictionary<string, string>
        {
            ["Sendy__Archive__Enabled"] = "true", ["Sendy__Archive__Bucket"] = o.Bucket!, ["Sendy__Archive__ServiceUrl"] = o.ServiceUrl!,
            ["Sendy__Archive__CreateBucketIfMissing"] = "true", ["Sendy__Archive__After"] = "00:00:00", ["Sendy__Archive__Interval"] = "00:00:01",
            ["Sendy__Archive__RowsPerObject"] = $"{RowsPerObject}", ["Sendy__Archive__RowsPerRowGroup"] = $"{RowsPerObject / 2}",
            // The day is past retention: only an unverified archive keeps it.
            ["Sendy__History__Retention"] = "1.00:00:00", ["Sendy__History__MaintenanceInterval"] = "00:00:01",
        });
        _consoles.Add(console);
        await console.StartAsync();
        return console;
    }

    [Fact]
    public async Task sigkill_mid_archive_drops_nothing_and_the_next_process_archives_the_day_whole_before_retention_drops_it()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3);
        var prefix = PositionArchiver.DayPrefix("positions", day);
        await SeedAsync(day);
        var before = await FingerprintAsync(day);
        using var s3 = S3ArchiveStore.CreateClient(Archive(LocalServer.S3Endpoint)); // straight to moto, not through the slow proxy

        // Slow S3: each object takes seconds to go up, so the kill lands between the first object and the manifest.
        _s3.Latency = TimeSpan.FromMilliseconds(250);
        var first = await StartConsoleAsync("first");
        await Eventually.ReachesAsync(() => KeysAsync(s3, prefix), keys => keys.Any(k => k.EndsWith(".parquet", StringComparison.Ordinal)),
            "the first object of the day in the bucket", timeoutSeconds: 240);
        await first.KillAsync();

        var left = await KeysAsync(s3, prefix);
        Assert.DoesNotContain(prefix + "_manifest.json", left);
        Assert.True(left.Count < Rows / RowsPerObject, $"the kill came after every object was up: {left.Count}");
        Assert.Equal(Rows, await _pg.ScalarAsync<long>($"SELECT count(*) FROM {PositionPartitions.NameOf(day)}"));
        Assert.False(await _pg.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM position_archive_days WHERE day = $1 AND verified_at IS NOT NULL)", day));

        _s3.Latency = TimeSpan.Zero;
        await StartConsoleAsync("second");
        await Eventually.ReachesAsync(() => _pg.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM position_days_dropped WHERE day = $1 AND archived)", day),
            dropped => dropped, "retention dropping the archived day", timeoutSeconds: 240);

        var manifest = ArchiveManifest.Parse(await GetAsync(s3, prefix + "_manifest.json"));
        Assert.Equal(Rows, manifest.Rows);
        Assert.Equal(manifest.Objects.Select(o => o.Key).Append(prefix + "_manifest.json").Order(StringComparer.Ordinal),
            (await KeysAsync(s3, prefix)).Order(StringComparer.Ordinal)); // what the killed process left and the manifest does not name is gone
        Assert.Equal(0L, await _pg.ScalarAsync<long>("SELECT count(*) FROM positions WHERE recorded_at >= $1 AND recorded_at < $2",
            PositionPartitions.StartOf(day), PositionPartitions.StartOf(day.AddDays(1))));

        await using var dataSource = NpgsqlDataSource.Create(_pg.ConnectionString);
        var options = Options.Create(Archive(LocalServer.S3Endpoint));
        using var store = new S3ArchiveStore(options);
        var archiver = new PositionArchiver(dataSource, store, new PositionPartitions(dataSource, TimeProvider.System), options, TimeProvider.System,
            NullLogger<PositionArchiver>.Instance);
        Assert.Equal(Rows, await archiver.RestoreDayAsync(day, default));
        Assert.Equal(before, await FingerprintAsync(day));
    }

    private async Task SeedAsync(DateOnly day)
    {
        await using var connection = new NpgsqlConnection(_pg.ConnectionString);
        await connection.OpenAsync();
        await PartitionMaintainer.CreateAsync(connection, day, default);
        await using (var trucks = new NpgsqlCommand("INSERT INTO trucks (id, name, created_at) SELECT 'K-' || g, 'K-' || g, now() FROM generate_series(0, 99) g", connection))
            await trucks.ExecuteNonQueryAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps, accuracy_meters)
            SELECT 'archive-kill', 'shardId-000000000000', g::text, 'K-' || (g % 100), $1::timestamptz + g * interval '400 ms', $1::timestamptz + g * interval '400 ms',
                now(), ST_SetSRID(ST_MakePoint(126.9 + g * 0.000001, 37.5), 4326), g % 30, 5
            FROM generate_series(0, $2 - 1) g
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = PositionPartitions.StartOf(day) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Rows });
        await cmd.ExecuteNonQueryAsync();
    }

    private Task<string> FingerprintAsync(DateOnly day) => _pg.ScalarAsync<string>("""
        SELECT coalesce(md5(string_agg(concat_ws('|', truck_id, recorded_at, received_at, stored_at, ST_AsEWKT(location), speed_mps,
            heading_degrees, accuracy_meters, quality_flag, stream_name, shard_id, sequence_number), ',' ORDER BY truck_id, recorded_at)), '')
        FROM positions WHERE recorded_at >= $1 AND recorded_at < $2
        """, PositionPartitions.StartOf(day), PositionPartitions.StartOf(day.AddDays(1)));

    private async Task<List<string>> KeysAsync(Amazon.S3.AmazonS3Client s3, string prefix)
    {
        try
        {
            var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix });
            return listed.S3Objects?.Select(o => o.Key).ToList() ?? [];
        }
        catch (Amazon.S3.AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            return [];
        }
    }

    private async Task<byte[]> GetAsync(Amazon.S3.AmazonS3Client s3, string key)
    {
        using var response = await s3.GetObjectAsync(_bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
