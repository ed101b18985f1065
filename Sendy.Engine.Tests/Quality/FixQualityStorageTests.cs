using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Consumers;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Leasing;
using Sendy.Engine.Quality;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Quality;

/// <summary>
/// Fix quality where it counts, on PostgreSQL: the batch writer stores an impossible jump or a
/// low-accuracy fix flagged with its reason and counts it; it moves neither <c>latest_positions</c>
/// (so no geofence) nor the ETA's recent fixes nor the trail nor anything live; a run that agrees
/// with itself re-anchors the truck, judged across batches as one stream, and low-accuracy fixes
/// never count towards it.
/// </summary>
public sealed class FixQualityStorageTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private DeliveryHarness _h = null!;
    private PostgresLeaseStore _leases = null!;
    private readonly string _stream = "q-" + Guid.NewGuid().ToString("N")[..8];
    private int _sequence;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _h = new DeliveryHarness(_db);
        _leases = new PostgresLeaseStore(_db.DataSource);
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(1);

    /// <summary>A fix <paramref name="km"/> km north of the drop-off (35.0790, 128.8200), <paramref name="seconds"/> after T0.</summary>
    private static TruckPosition At(string truck, double km, double seconds, double accuracyMeters = 5) =>
        new(truck, 35.0790 + km / 111.2, 128.82, T0.AddSeconds(seconds), T0.AddSeconds(seconds), 10, 0, accuracyMeters);

    private ShardFix Record(TruckPosition p) =>
        new((++_sequence).ToString("D20", CultureInfo.InvariantCulture), p.TruckId, p, ReadOnlyMemory<byte>.Empty);

    private async Task<Lease> LeaseAsync()
    {
        var lease = new Lease(_stream, "shardId-000000000000", null, 0, null, Checkpoints.TrimHorizon, [], 0);
        await _leases.CreateIfMissingAsync(lease, default);
        return await _leases.TakeAsync((await _leases.ListAsync(_stream, default)).Single(), "quality-test", DateTimeOffset.UtcNow, default);
    }

    private static PositionBatch Batch(string stream, IReadOnlyList<ShardFix> fixes) =>
        new(stream, "shardId-000000000000", fixes, [], fixes[^1].SequenceNumber);

    private async Task<(BatchWriteResult Result, Lease Lease)> WriteAsync(PostgresPositionBatchWriter writer, Lease lease, params ShardFix[] fixes)
    {
        var result = await writer.WriteAsync(Batch(_stream, fixes), lease, default);
        return (result, result.Lease);
    }

    private Task<double> LatestKmAsync(string truck) =>
        _db.ScalarAsync<double>("SELECT (ST_Y(location) - 35.0790) * 111.2 FROM latest_positions WHERE truck_id = $1", truck);

    /// <summary>The stored fix's flag; empty for a good fix.</summary>
    private Task<string> FlagAsync(TruckPosition p) =>
        _db.ScalarAsync<string>("SELECT coalesce(quality_flag, '') FROM positions WHERE truck_id = $1 AND recorded_at = $2", p.TruckId, p.RecordedAt);

    private static PostgresPositionBatchWriter Writer(TestDatabase db) => new(db.DataSource, TimeProvider.System);

    [Fact]
    public async Task an_impossible_jump_is_stored_flagged_and_moves_no_truck_no_delivery_no_eta_and_nothing_live()
    {
        var (truck, _, delivery) = await _h.DeliveryAsync(DeliveryStatus.InTransit);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        // 20 km out, driving south at 36 km/h; 5 s later a fix at the drop-off itself (14,000 km/h); then on as before.
        var good = At(truck, 20, 0);
        var wild = At(truck, 0.05, 5);
        var (result, _) = await WriteAsync(writer, lease, Record(good), Record(wild), Record(At(truck, 19.9, 10)));

        Assert.Equal(1, result.Flagged);
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));
        Assert.DoesNotContain(result.Stored, p => p.RecordedAt == wild.RecordedAt);
        Assert.StartsWith("impossible-jump: ", await FlagAsync(wild));
        Assert.Equal("", await FlagAsync(good));
        Assert.Equal(19.9, await LatestKmAsync(truck), 3);

        // The geofence reads latest_positions: the flagged fix at the drop-off does not make it Arrived.
        Assert.Equal(0, await _h.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal("InTransit", await _db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", delivery));

        // The ETA's recent fixes leave it out.
        var contexts = _h.Get<IDbContextFactory<SendyDbContext>>();
        var recent = await new EfTrackingQueries(contexts, _db.DataSource, TimeProvider.System)
            .GetRecentFixesAsync(delivery, TimeSpan.FromMinutes(10), default);
        Assert.Equal([20.0, 19.9], recent.Select(p => Math.Round((p.Latitude - 35.0790) * 111.2, 3)));
    }

    [Fact]
    public async Task a_low_accuracy_fix_is_stored_flagged_and_moves_no_truck_no_delivery_no_eta_no_trail()
    {
        var (truck, _, delivery) = await _h.DeliveryAsync(DeliveryStatus.InTransit);
        // On the harness's clock, so the fixes come after pickup and the last status change.
        var t0 = _h.Time.GetUtcNow().AddSeconds(1);
        TruckPosition Fix(double km, double seconds, double accuracyMeters = 5) =>
            At(truck, km, 0, accuracyMeters) with { RecordedAt = t0.AddSeconds(seconds), ReceivedAt = t0.AddSeconds(seconds) };
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        // 1 km out, then 0.8 km at 36 km/h; then a fix 50 m from the drop-off at a believable speed,
        // but reporting 300 m: the phone does not know where it is.
        var coarse = Fix(0.05, 40, accuracyMeters: 300);
        var (result, held) = await WriteAsync(writer, lease, Record(Fix(1.0, 0)), Record(Fix(0.8, 20)), Record(coarse));

        Assert.Equal(1, result.Flagged);
        Assert.DoesNotContain(result.Stored, p => p.RecordedAt == coarse.RecordedAt);
        Assert.Equal("low-accuracy: 300 m reported (limit 100 m)", await FlagAsync(coarse));
        Assert.Equal(0.8, await LatestKmAsync(truck), 3);
        Assert.Equal(0, await _h.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal("InTransit", await _db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", delivery));
        var queries = new EfTrackingQueries(_h.Get<IDbContextFactory<SendyDbContext>>(), _db.DataSource, _h.Time);
        var recent = await queries.GetRecentFixesAsync(delivery, TimeSpan.FromMinutes(10), default);
        Assert.Equal([1.0, 0.8], recent.Select(p => Math.Round((p.Latitude - 35.0790) * 111.2, 3)));
        var trail = await queries.GetTrailSincePickupAsync(delivery, 100, default);
        Assert.Equal([1.0, 0.8], trail.Select(p => Math.Round((p.Latitude - 35.0790) * 111.2, 3)));

        // A coarse fix 30 km off is not the anchor either: the next good fix is judged from 0.8 km.
        (result, held) = await WriteAsync(writer, held, Record(Fix(30, 50, accuracyMeters: 2_000)), Record(Fix(0.6, 60)));
        Assert.Equal(1, result.Flagged);
        Assert.Equal(0.6, await LatestKmAsync(truck), 3);

        // A precise fix where the coarse one was does arrive: the geofence was only waiting for one.
        await WriteAsync(writer, held, Record(Fix(0.05, 90)));
        Assert.Equal(1, await _h.Get<GeofenceWatcher>().CheckOnceAsync(default));
        Assert.Equal("Arrived", await _db.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", delivery));
    }

    [Fact]
    public async Task low_accuracy_fixes_between_pages_do_not_count_towards_a_run_that_re_anchors()
    {
        var truck = "Q-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        (_, lease) = await WriteAsync(writer, lease, Record(At(truck, 0, 0)));

        // Five minutes without fixes, 30 km on: a precise fix, a coarse one where the run goes, then
        // two precise ones. The coarse one is read back flagged but is not part of the run, so the
        // third precise fix (not the second) re-anchors.
        var flags = new List<int>();
        foreach (var fix in new[] { At(truck, 30, 300), At(truck, 30.1, 305, accuracyMeters: 500), At(truck, 30.25, 310), At(truck, 30.5, 320) })
        {
            BatchWriteResult result;
            (result, lease) = await WriteAsync(writer, lease, Record(fix));
            flags.Add(result.Flagged);
        }

        Assert.Equal([1, 1, 1, 0], flags);
        Assert.Equal(30.5, await LatestKmAsync(truck), 3);
    }

    [Fact]
    public async Task a_replayed_page_with_a_low_accuracy_fix_counts_it_once()
    {
        var truck = "Q-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        ShardFix[] page = [Record(At(truck, 20, 0)), Record(At(truck, 19.9, 10, accuracyMeters: 400))];
        var (first, held) = await WriteAsync(writer, lease, page);
        Assert.Equal(1, first.Flagged);

        var (again, _) = await WriteAsync(writer, held, page);

        Assert.Equal(0, again.Flagged);
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));
        Assert.Equal(20, await LatestKmAsync(truck), 3);
    }

    [Fact]
    public async Task a_replayed_page_with_a_flagged_fix_counts_it_once_and_still_moves_nothing()
    {
        var truck = "Q-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        ShardFix[] page = [Record(At(truck, 20, 0)), Record(At(truck, 0, 10)), Record(At(truck, 40, 20))];
        var (first, held) = await WriteAsync(writer, lease, page);
        Assert.Equal(2, first.Flagged);
        Assert.Single(first.Stored);

        var (again, _) = await WriteAsync(writer, held, page);

        Assert.Equal(0, again.Flagged);
        Assert.Equal([0.0], again.Stored.Select(p => (p.RecordedAt - T0).TotalSeconds));
        Assert.Equal(20, await LatestKmAsync(truck), 3);
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));
    }

    [Fact]
    public async Task after_a_real_gap_three_fixes_that_agree_re_anchor_the_truck_even_one_page_at_a_time()
    {
        var truck = "Q-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        (_, lease) = await WriteAsync(writer, lease, Record(At(truck, 0, 0)));

        // The phone was off for five minutes while the truck drove 30 km (360 km/h as the crow flies
        // from the last fix, though it really took a motorway): then three fixes 10 s and 250 m apart.
        var flags = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            BatchWriteResult result;
            (result, lease) = await WriteAsync(writer, lease, Record(At(truck, 30 + i * 0.25, 300 + i * 10)));
            flags.Add(result.Flagged);
        }

        Assert.Equal([1, 1, 0], flags);
        Assert.Equal(30.5, await LatestKmAsync(truck), 3);
        // From there on it is judged from its new place.
        var (after, _) = await WriteAsync(writer, lease, Record(At(truck, 30.75, 330)));
        Assert.Equal(0, after.Flagged);
    }

    [Fact]
    public async Task without_a_gap_a_longer_run_that_agrees_re_anchors_so_a_bad_anchor_cannot_stick()
    {
        var truck = "Q-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var writer = Writer(_db);
        var lease = await LeaseAsync();
        // A bad first fix 50 km off becomes the anchor (nothing to judge it against).
        (_, lease) = await WriteAsync(writer, lease, Record(At(truck, 50, 0)));

        var flagged = 0;
        for (var i = 1; i <= 10; i++)
        {
            BatchWriteResult result;
            (result, lease) = await WriteAsync(writer, lease, Record(At(truck, i * 0.1, i * 10)));
            flagged += result.Flagged;
        }

        Assert.Equal(9, flagged); // the tenth agreeing fix re-anchors
        Assert.Equal(1.0, await LatestKmAsync(truck), 3);
    }

    [Fact]
    public void the_live_fast_path_holds_back_a_jump_from_what_this_node_has_shown_and_learns_what_consumers_store()
    {
        var deliveries = new ManualWorkQueue();
        var feed = new LiveFanout(NullLogger<LiveFanout>.Instance) { DeliveryQueue = deliveries.Post };
        using var gate = new LiveFixGate(feed, Options.Create(new FixQualityOptions()));
        var published = new RecordingPublisher();
        var fastPath = new LiveFastPath(published, gate: gate);

        fastPath.OnAccepted([At("T-live", 20, 0)]);
        fastPath.OnAccepted([At("T-live", 0, 10), At("T-live", 19.9, 10.5)]);
        Assert.Equal([20.0, 19.9], published.Km);

        // A consumer stored (and judged) a re-anchoring fix 30 km on; this node shows it, and the
        // fast path follows the truck from there.
        feed.Publish([At("T-live", 50, 600)]);
        deliveries.RunAll();
        fastPath.OnAccepted([At("T-live", 50.1, 610)]);
        Assert.Equal([20.0, 19.9, 50.1], published.Km);

        // A coarse fix never passes (not even a truck's first), and the next is judged from what was shown.
        fastPath.OnAccepted([At("T-live", 50.15, 615, accuracyMeters: 500), At("T-other", 1, 615, accuracyMeters: 500)]);
        fastPath.OnAccepted([At("T-live", 50.2, 620)]);
        Assert.Equal([20.0, 19.9, 50.1, 50.2], published.Km);
    }

    private sealed class RecordingPublisher : ILivePositionPublisher
    {
        public List<double> Km { get; } = [];

        public void Publish(IReadOnlyList<TruckPosition> positions) =>
            Km.AddRange(positions.Select(p => Math.Round((p.Latitude - 35.0790) * 111.2, 2)));
    }

    [Theory]
    [InlineData("MaxSpeedKmh", 5.0, 3, 10, 100.0)]
    [InlineData("ReanchorFixes", 250.0, 1, 10, 100.0)]
    [InlineData("ReanchorFixesWithoutGap", 250.0, 5, 4, 100.0)]
    [InlineData("MaxAccuracyMeters", 250.0, 3, 10, 0.0)]
    [InlineData("MaxAccuracyMeters", 250.0, 3, 10, 50_000.0)]
    public void settings_out_of_range_fail_on_start(string named, double maxSpeedKmh, int reanchorFixes, int withoutGap, double maxAccuracyMeters)
    {
        var services = new ServiceCollection();
        services.AddOptions<FixQualityOptions>().Configure(o =>
        {
            o.MaxSpeedKmh = maxSpeedKmh;
            o.ReanchorFixes = reanchorFixes;
            o.ReanchorFixesWithoutGap = withoutGap;
            o.MaxAccuracyMeters = maxAccuracyMeters;
        }).ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FixQualityOptions>>().Value);
        Assert.Contains(named, error.Message);
    }
}
