namespace Sendy.Engine.Tracking;

public enum EtaKind
{
    /// <summary>No estimate: no fix, too little data, stopped, or the newest fix is too old.</summary>
    Calculating,
    Estimated,
    /// <summary>The truck is within <see cref="EtaSettings.ArrivingWithinMeters"/> of the destination.</summary>
    Arriving,
}

/// <summary>An arrival estimate. <see cref="RemainingMeters"/> is the road-factored distance (null without a fix).</summary>
public readonly record struct EtaEstimate(EtaKind Kind, DateTimeOffset? ArrivalAt, double? RemainingMeters)
{
    public static EtaEstimate Calculating { get; } = new(EtaKind.Calculating, null, null);
}

/// <summary>
/// Estimates when the truck reaches a destination: remaining distance (haversine x road factor)
/// over the average speed of the last <see cref="EtaSettings.SpeedWindow"/>. That speed is the
/// smaller of two measures: the odometer (steps shorter than the jitter threshold not counted),
/// and the straight-line progress over the window times the road factor. GPS jitter inflates
/// the first but not the second, so a parked truck reads as stopped; on a winding road the
/// second is the same yardstick as the remaining distance. Samples are kept every
/// <see cref="EtaSettings.SampleInterval"/>, so memory is bounded however often fixes come.
/// <see cref="Refresh"/> throttles what is shown so the number does not flicker with every fix.
/// One instance per page; not thread-safe.
/// </summary>
public sealed class EtaEstimator(TimeProvider time, EtaSettings? settings = null)
{
    private const double EarthRadiusMeters = 6_371_008.8;

    private readonly EtaSettings _settings = settings ?? EtaSettings.Default;
    private readonly Queue<(DateTimeOffset At, double Odometer, double Lat, double Lon)> _samples = new();
    private DateTimeOffset _lastSampleAt;
    private double _odometer;
    private (double Lat, double Lon) _anchor;
    private (double Lat, double Lon, DateTimeOffset At)? _latest;
    private DateTimeOffset _shownAt;

    /// <summary>Odometer samples held (bounded by the window over the sample interval).</summary>
    internal int SampleCount => _samples.Count;

    /// <summary>The estimate last accepted by <see cref="Refresh"/>.</summary>
    public EtaEstimate Current { get; private set; } = EtaEstimate.Calculating;

    /// <summary>Takes one fix; older or repeated fixes are ignored.</summary>
    public void Add(double latitude, double longitude, DateTimeOffset recordedAt, double? accuracyMeters = null)
    {
        if (_latest is { } latest)
        {
            if (recordedAt <= latest.At) return;
            var step = DistanceMeters(_anchor.Lat, _anchor.Lon, latitude, longitude);
            if (step >= Math.Max(_settings.MinimumStepMeters, accuracyMeters ?? 0))
            {
                _odometer += step;
                _anchor = (latitude, longitude);
            }
        }
        else
        {
            _anchor = (latitude, longitude);
        }

        _latest = (latitude, longitude, recordedAt);
        if (_samples.Count == 0 || recordedAt - _lastSampleAt >= _settings.SampleInterval)
        {
            _samples.Enqueue((recordedAt, _odometer, latitude, longitude));
            _lastSampleAt = recordedAt;
        }

        while (_samples.Count > 1 && _samples.Peek().At < recordedAt - _settings.SpeedWindow) _samples.Dequeue();
    }

    /// <summary>The estimate now for a destination, unthrottled.</summary>
    public EtaEstimate Estimate(double latitude, double longitude)
    {
        if (_latest is not { } latest) return EtaEstimate.Calculating;
        var now = time.GetUtcNow();
        var straight = DistanceMeters(latest.Lat, latest.Lon, latitude, longitude);
        if (straight <= _settings.ArrivingWithinMeters) return new EtaEstimate(EtaKind.Arriving, now, 0);

        var remaining = straight * _settings.RoadFactor;
        var calculating = new EtaEstimate(EtaKind.Calculating, null, remaining);
        if (now - latest.At > _settings.StaleAfter) return calculating;
        var start = _samples.Peek();
        var span = latest.At - start.At;
        if (span < _settings.MinimumSpan) return calculating;
        var odometer = _odometer - start.Odometer;
        var progress = DistanceMeters(start.Lat, start.Lon, latest.Lat, latest.Lon) * _settings.RoadFactor;
        var speed = Math.Min(odometer, progress) / span.TotalSeconds;
        if (speed < _settings.MinimumSpeedMps) return calculating;

        // From the newest fix, not from now: the truck has kept driving since. Never in the past.
        var arrival = latest.At + TimeSpan.FromSeconds(remaining / Math.Min(speed, _settings.MaximumSpeedMps));
        return new EtaEstimate(EtaKind.Estimated, arrival < now ? now : arrival, remaining);
    }

    /// <summary>
    /// Recomputes and accepts the result into <see cref="Current"/> when it is worth showing: a
    /// different kind, an arrival moved by <see cref="EtaSettings.SignificantChange"/>, the refresh
    /// interval has passed, or <paramref name="force"/> (a new destination). True when it changed.
    /// </summary>
    public bool Refresh(double latitude, double longitude, bool force = false)
    {
        var next = Estimate(latitude, longitude);
        var now = time.GetUtcNow();
        var significant = next.Kind != Current.Kind
            || (next.ArrivalAt is { } a && Current.ArrivalAt is { } b && (a - b).Duration() >= _settings.SignificantChange);
        if (!force && !significant && now - _shownAt < _settings.RefreshInterval) return false;
        _shownAt = now;
        if (next == Current) return false;
        Current = next;
        return true;
    }

    /// <summary>Great-circle distance in metres (haversine, mean Earth radius).</summary>
    public static double DistanceMeters(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
            + Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
