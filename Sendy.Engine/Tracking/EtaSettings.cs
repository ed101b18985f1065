namespace Sendy.Engine.Tracking;

/// <summary>How <see cref="EtaEstimator"/> judges an arrival time. Defaults in code; tests change them.</summary>
public sealed record EtaSettings
{
    public static EtaSettings Default { get; } = new();

    /// <summary>
    /// Road distance over straight-line distance (the "detour index"). Road networks measure
    /// 1.2-1.4 for trips of a few km and more; 1.3 fits Korean city streets and expressways
    /// alike. Without a routing service this is the honest correction.
    /// </summary>
    public double RoadFactor { get; init; } = 1.3;

    /// <summary>The average speed is the distance driven over this window (red lights and queues included).</summary>
    public TimeSpan SpeedWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Less data than this gives no speed ("calculating"): one or two fixes say nothing.</summary>
    public TimeSpan MinimumSpan { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Odometer samples are kept this far apart, so memory stays bounded (window / interval).</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Slower than this on average (5.4 km/h) the truck is stopped (loading, a break): no ETA rather than hours.</summary>
    public double MinimumSpeedMps { get; init; } = 1.5;

    /// <summary>Trucks in Korea are limited to 90 km/h on expressways: a faster average is GPS noise.</summary>
    public double MaximumSpeedMps { get; init; } = 25;

    /// <summary>Steps shorter than this (or than the fix's accuracy) are GPS jitter, not driving.</summary>
    public double MinimumStepMeters { get; init; } = 10;

    /// <summary>A newest fix older than this is too old to predict from.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Within this straight-line distance the truck is arriving (the geofence's default radius).</summary>
    public double ArrivingWithinMeters { get; init; } = 150;

    /// <summary>A shown estimate is replaced at most this often, unless it changed a lot.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>An arrival time that moved at least this much is shown at once.</summary>
    public TimeSpan SignificantChange { get; init; } = TimeSpan.FromMinutes(2);
}
