namespace Sendy.Bench;

/// <summary>One generated fix: device time in ticks (UTC), delays to receipt and storage in milliseconds.</summary>
public readonly record struct HistoryFix(int Truck, long RecordedTicks, double Latitude, double Longitude, float Speed, float Heading,
    float Accuracy, short ReceivedAfterMs, short StoredAfterMs);

/// <summary>A truck's shift on one day: the delivery it carried, picked up at its first fix and delivered at its last.</summary>
public readonly record struct HistoryShift(int Truck, DateTime Start, DateTime End, bool Dense);

/// <summary>
/// Realistic-ish tracks, deterministic per truck and day: each truck has a home in South Korea and
/// drives a 10-hour shift starting between 00:00 and 03:10 UTC (09:00–12:10 in Korea, so a shift
/// stays inside its UTC day's partition), alternating drives (8–27 m/s, turning, turned home when
/// over 40 km away) and stops of 3–20 minutes, with GPS noise and the odd poor accuracy.
/// A day's fixes come out in device-time order, as ingest writes them: a truck's fixes are spread
/// over the day's table, not packed together, so trails read what they would in production.
/// </summary>
public static class HistoryTracks
{
    private const double MetresPerDegree = 111_320;
    private const double RoamMetres = 40_000;

    /// <summary>The truck's home (latitude, longitude).</summary>
    public static (double Latitude, double Longitude) Home(int truck)
    {
        var rng = new Random(truck * 7_919 + 17);
        return (35.1 + rng.NextDouble() * 2.4, 126.8 + rng.NextDouble() * 2.3);
    }

    /// <summary>Every fix of day <paramref name="index"/> (<paramref name="day"/>), in device-time order, and each truck's shift.</summary>
    public static (HistoryFix[] Fixes, HistoryShift[] Shifts) Day(HistoryShape shape, int index, DateOnly day)
    {
        var fixes = new HistoryFix[shape.RowsOf(index)];
        var shifts = new HistoryShift[shape.Trucks];
        var next = 0;
        for (var truck = 0; truck < shape.Trucks; truck++)
        {
            var count = shape.FixesOf(index, truck);
            shifts[truck] = Drive(truck, day, count, shape.IsDense(index, truck), fixes.AsSpan(next, count));
            next += count;
        }
        if (next != fixes.Length) throw new InvalidOperationException($"generated {next} fixes for day {day}, expected {fixes.Length}");
        Array.Sort(fixes, static (a, b) => a.RecordedTicks != b.RecordedTicks ? a.RecordedTicks.CompareTo(b.RecordedTicks) : a.Truck.CompareTo(b.Truck));
        return (fixes, shifts);
    }

    private static HistoryShift Drive(int truck, DateOnly day, int count, bool dense, Span<HistoryFix> into)
    {
        var rng = new Random(unchecked(truck * 1_000_003 + day.DayNumber * 7_919));
        var (homeLat, homeLon) = Home(truck);
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)
            .AddMinutes(truck % 12 * 15).AddSeconds(rng.Next(600));
        var interval = dense ? HistoryShape.DenseInterval : HistoryShape.Shift / count;
        var jitterMs = (int)Math.Min(999, interval.TotalMilliseconds - 1);
        var lat = homeLat + (rng.NextDouble() - 0.5) * 0.05;
        var lon = homeLon + (rng.NextDouble() - 0.5) * 0.05;
        var heading = rng.NextDouble() * 360;
        var speed = 0.0;
        var driveLeft = 600 + rng.NextDouble() * 1_800;
        var stopLeft = 0.0;
        var dt = interval.TotalSeconds;
        for (var k = 0; k < count; k++)
        {
            if (stopLeft > 0)
            {
                speed = 0;
                stopLeft -= dt;
                if (stopLeft <= 0) driveLeft = 600 + rng.NextDouble() * 1_800;
            }
            else
            {
                speed += (8 + rng.NextDouble() * 19 - speed) * Math.Min(1, dt / 30);
                heading += (rng.NextDouble() - 0.5) * Math.Min(120, 8 * Math.Sqrt(dt));
                var north = (homeLat - lat) * MetresPerDegree;
                var east = (homeLon - lon) * MetresPerDegree * Math.Cos(lat * Math.PI / 180);
                if (north * north + east * east > RoamMetres * RoamMetres)
                    heading = Math.Atan2(east, north) * 180 / Math.PI + (rng.NextDouble() - 0.5) * 30;
                heading = (heading % 360 + 360) % 360;
                var metres = speed * dt;
                lat += metres * Math.Cos(heading * Math.PI / 180) / MetresPerDegree;
                lon += metres * Math.Sin(heading * Math.PI / 180) / (MetresPerDegree * Math.Cos(lat * Math.PI / 180));
                driveLeft -= dt;
                if (driveLeft <= 0) stopLeft = 180 + rng.NextDouble() * 1_020;
            }
            var accuracy = rng.NextDouble() < 0.01 ? 30 + rng.NextDouble() * 120 : 3 + 12 * Math.Pow(rng.NextDouble(), 2);
            var noise = accuracy / MetresPerDegree;
            into[k] = new HistoryFix(truck, (start + interval * k).Ticks + rng.Next(jitterMs + 1) * TimeSpan.TicksPerMillisecond,
                lat + (rng.NextDouble() - 0.5) * noise, lon + (rng.NextDouble() - 0.5) * noise, (float)speed, (float)heading, (float)accuracy,
                (short)(300 + rng.Next(2_700)), (short)(100 + rng.Next(700)));
        }
        return new HistoryShift(truck, new DateTime(into[0].RecordedTicks, DateTimeKind.Utc), new DateTime(into[count - 1].RecordedTicks, DateTimeKind.Utc), dense);
    }
}
