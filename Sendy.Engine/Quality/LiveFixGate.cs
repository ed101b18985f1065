using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Quality;

/// <summary>
/// Keeps impossible jumps and low-accuracy fixes off the live fast path, which shows a fix before
/// any consumer has judged it. A fix reporting an accuracy coarser than
/// <see cref="FixQualityOptions.MaxAccuracyMeters"/> never passes (the judge flags it whatever came
/// before). For the rest it knows the newest fix this node has shown for each truck (everything
/// published here: fixes stored and judged by a consumer, relayed from other nodes, or let through
/// earlier) and lets a fix through only when its implied speed from that one is within
/// <see cref="FixQualityOptions.MaxSpeedKmh"/> (<see cref="FixJudge.SpeedKmh"/>). Anything else waits
/// for the consumer, whose judgement is the one that counts: a good fix arrives a moment later, a
/// flagged one never. A truck this node has not seen yet is let through, as the judge takes a
/// truck's first fix.
/// </summary>
public sealed class LiveFixGate : IDisposable
{
    private readonly ConcurrentDictionary<string, TruckPosition> _shown = new(StringComparer.Ordinal);
    private readonly FixQualityOptions _options;
    private readonly IDisposable _subscription;

    public LiveFixGate(ILivePositionFeed feed, IOptions<FixQualityOptions> options)
    {
        _options = options.Value;
        _subscription = feed.SubscribeAll(positions =>
        {
            Learn(positions);
            return Task.CompletedTask;
        });
    }

    /// <summary>The fixes of <paramref name="positions"/> that may be shown now.</summary>
    public IReadOnlyList<TruckPosition> Passing(IReadOnlyList<TruckPosition> positions)
    {
        List<TruckPosition>? passing = null;
        for (var i = 0; i < positions.Count; i++)
        {
            var fix = positions[i];
            var ok = !FixJudge.IsLowAccuracy(fix, _options)
                && (!_shown.TryGetValue(fix.TruckId, out var shown)
                    || FixJudge.SpeedKmh(shown.Latitude, shown.Longitude, shown.RecordedAt, fix) <= _options.MaxSpeedKmh);
            if (ok)
            {
                Learn(fix);
                if (passing is not null) passing.Add(fix);
            }
            else passing ??= [.. positions.Take(i)];
        }
        return passing ?? positions;
    }

    private void Learn(IReadOnlyList<TruckPosition> positions)
    {
        foreach (var p in positions) Learn(p);
    }

    private void Learn(TruckPosition p) =>
        _shown.AddOrUpdate(p.TruckId, p, (_, known) => p.RecordedAt > known.RecordedAt ? p : known);

    public void Dispose() => _subscription.Dispose();
}
