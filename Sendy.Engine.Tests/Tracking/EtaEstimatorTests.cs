using Microsoft.Extensions.Time.Testing;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

public sealed class EtaEstimatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    // Destination north of the truck on the same meridian: distances are exact multiples of a degree of latitude.
    private const double DestLat = 37.5;
    private const double DestLon = 127.0;
    private static readonly double MetersPerDegree = EtaEstimator.DistanceMeters(0, DestLon, 1, DestLon);

    private readonly FakeTimeProvider _time = new(Start);

    private EtaEstimator Estimator(EtaSettings? settings = null) => new(_time, settings);

    /// <summary>Drives north at <paramref name="speedMps"/>, one fix every <paramref name="every"/>, ending at <paramref name="endLat"/> at the clock's now.</summary>
    private static void Drive(EtaEstimator eta, double speedMps, TimeSpan duration, TimeSpan every, double endLat, DateTimeOffset end)
    {
        var steps = (int)(duration / every);
        for (var i = steps; i >= 0; i--)
        {
            var lat = endLat - speedMps * (every * i).TotalSeconds / MetersPerDegree;
            eta.Add(lat, DestLon, end - every * i);
        }
    }

    [Fact]
    public void without_a_fix_it_is_calculating()
    {
        Assert.Equal(EtaEstimate.Calculating, Estimator().Estimate(DestLat, DestLon));
    }

    [Fact]
    public void moving_truck_arrives_after_road_distance_over_recent_speed()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);

        var estimate = eta.Estimate(DestLat, DestLon);

        var road = 0.05 * MetersPerDegree * 1.3;
        Assert.Equal(EtaKind.Estimated, estimate.Kind);
        Assert.Equal(road, estimate.RemainingMeters!.Value, 1);
        Assert.Equal(road / 10, (estimate.ArrivalAt!.Value - Start).TotalSeconds, 0);
    }

    [Fact]
    public void the_arrival_counts_from_the_newest_fix_not_from_now()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        _time.Advance(TimeSpan.FromSeconds(30));

        var estimate = eta.Estimate(DestLat, DestLon);

        Assert.Equal(0.05 * MetersPerDegree * 1.3 / 10, (estimate.ArrivalAt!.Value - Start).TotalSeconds, 0);
    }

    [Fact]
    public void a_stopped_truck_is_calculating_but_keeps_the_distance()
    {
        var eta = Estimator();
        for (var i = 0; i <= 60; i++) eta.Add(DestLat - 0.05, DestLon, Start.AddSeconds(-600 + i * 10));

        var estimate = eta.Estimate(DestLat, DestLon);

        Assert.Equal(EtaKind.Calculating, estimate.Kind);
        Assert.Null(estimate.ArrivalAt);
        Assert.Equal(0.05 * MetersPerDegree * 1.3, estimate.RemainingMeters!.Value, 1);
    }

    [Fact]
    public void gps_jitter_of_a_parked_truck_is_not_driving()
    {
        var eta = Estimator();
        var random = new Random(7);
        for (var i = 0; i <= 600; i++)
        {
            // Up to ~8 m either way, every second, for ten minutes: 4+ km of "distance" if counted.
            var jitter = (random.NextDouble() - 0.5) * 16 / MetersPerDegree;
            eta.Add(DestLat - 0.05 + jitter, DestLon + jitter, Start.AddSeconds(-600 + i), accuracyMeters: 8);
        }

        Assert.Equal(EtaKind.Calculating, eta.Estimate(DestLat, DestLon).Kind);
    }

    [Fact]
    public void noisy_fixes_of_a_moving_truck_still_give_about_its_speed()
    {
        var eta = Estimator();
        var random = new Random(11);
        for (var i = 600; i >= 0; i--)
        {
            var lat = DestLat - 0.05 - 12.0 * i / MetersPerDegree + (random.NextDouble() - 0.5) * 10 / MetersPerDegree;
            eta.Add(lat, DestLon + (random.NextDouble() - 0.5) * 10 / MetersPerDegree, Start.AddSeconds(-i), accuracyMeters: 5);
        }

        var estimate = eta.Estimate(DestLat, DestLon);

        var speed = estimate.RemainingMeters!.Value / (estimate.ArrivalAt!.Value - Start).TotalSeconds;
        Assert.InRange(speed, 12 * 0.9, 12 * 1.1);
    }

    [Fact]
    public void less_than_a_minute_of_data_is_calculating()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);

        Assert.Equal(EtaKind.Calculating, eta.Estimate(DestLat, DestLon).Kind);
    }

    [Fact]
    public void near_the_destination_it_is_arriving()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 100 / MetersPerDegree, Start);

        var estimate = eta.Estimate(DestLat, DestLon);

        Assert.Equal(EtaKind.Arriving, estimate.Kind);
        Assert.Equal(0, estimate.RemainingMeters);
    }

    [Fact]
    public void far_away_it_counts_hours_at_the_speed_ceiling_at_most()
    {
        var eta = Estimator();
        // 40 m/s (144 km/h) is GPS or clock trouble for a truck: the estimate uses 25 m/s.
        Drive(eta, 40, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 3, Start);

        var estimate = eta.Estimate(DestLat, DestLon);

        Assert.Equal(3 * MetersPerDegree * 1.3 / 25, (estimate.ArrivalAt!.Value - Start).TotalSeconds, 0);
        Assert.True(estimate.ArrivalAt.Value - Start > TimeSpan.FromHours(4));
    }

    [Fact]
    public void a_newest_fix_older_than_five_minutes_is_too_old_to_predict_from()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Equal(EtaKind.Calculating, eta.Estimate(DestLat, DestLon).Kind);
    }

    [Fact]
    public void only_the_recent_window_sets_the_speed()
    {
        var eta = Estimator();
        // Fast on the expressway until 12 minutes ago, then 5 m/s in town.
        Drive(eta, 25, TimeSpan.FromMinutes(20), TimeSpan.FromSeconds(5), DestLat - 0.05 - 5.0 * 720 / MetersPerDegree, Start.AddMinutes(-12));
        Drive(eta, 5, TimeSpan.FromMinutes(12), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);

        var estimate = eta.Estimate(DestLat, DestLon);

        Assert.Equal(0.05 * MetersPerDegree * 1.3 / 5, (estimate.ArrivalAt!.Value - Start).TotalSeconds, 0);
    }

    [Fact]
    public void older_and_repeated_fixes_are_ignored()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        var before = eta.Estimate(DestLat, DestLon);

        eta.Add(DestLat - 0.2, DestLon, Start.AddMinutes(-1));
        eta.Add(DestLat - 0.2, DestLon, Start);

        Assert.Equal(before, eta.Estimate(DestLat, DestLon));
    }

    [Fact]
    public void memory_stays_bounded_however_long_the_truck_drives()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromHours(2), TimeSpan.FromSeconds(1), DestLat - 0.05, Start);

        Assert.InRange(eta.SampleCount, 50, 62);
    }

    [Fact]
    public void refresh_shows_small_changes_at_most_every_twenty_seconds()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        Assert.True(eta.Refresh(DestLat, DestLon));
        var shown = eta.Current;

        _time.Advance(TimeSpan.FromSeconds(10));
        eta.Add(DestLat - 0.05 + 100 / MetersPerDegree, DestLon, Start.AddSeconds(10));
        Assert.False(eta.Refresh(DestLat, DestLon));
        Assert.Equal(shown, eta.Current);

        _time.Advance(TimeSpan.FromSeconds(10));
        eta.Add(DestLat - 0.05 + 200 / MetersPerDegree, DestLon, Start.AddSeconds(20));
        Assert.True(eta.Refresh(DestLat, DestLon));
        Assert.True(eta.Current.RemainingMeters < shown.RemainingMeters);
    }

    [Fact]
    public void refresh_shows_a_big_change_or_a_new_destination_at_once()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        eta.Refresh(DestLat, DestLon);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(eta.Refresh(DestLat + 0.05, DestLon), "ten more minutes away");

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(eta.Refresh(DestLat + 0.0501, DestLon, force: true));
    }

    [Fact]
    public void refresh_turns_calculating_at_once_when_the_truck_goes_quiet()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 0.05, Start);
        eta.Refresh(DestLat, DestLon);

        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.True(eta.Refresh(DestLat, DestLon));
        Assert.Equal(EtaKind.Calculating, eta.Current.Kind);
    }

    [Fact]
    public void the_estimate_is_never_in_the_past()
    {
        var eta = Estimator();
        Drive(eta, 10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), DestLat - 1000 / MetersPerDegree, Start);
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(_time.GetUtcNow(), eta.Estimate(DestLat, DestLon).ArrivalAt);
    }

    [Fact]
    public void haversine_matches_a_known_distance()
    {
        // A degree along the equator is 2 pi R / 360; Seoul Station to Busan Station is about 329 km as the crow flies.
        Assert.Equal(111_195.08, EtaEstimator.DistanceMeters(0, 10, 0, 11), 1);
        Assert.InRange(EtaEstimator.DistanceMeters(37.5547, 126.9707, 35.1151, 129.0421), 325_000, 332_000);
    }
}
