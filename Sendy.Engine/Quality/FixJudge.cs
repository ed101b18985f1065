using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Quality;

/// <summary>
/// Fix quality (<c>Sendy:FixQuality</c>): what counts as an impossible jump, when a run of fixes
/// re-anchors a truck, and how coarse a reported accuracy may be.
/// </summary>
public sealed class FixQualityOptions : IValidatableObject
{
    public const string Section = "Sendy:FixQuality";

    /// <summary>A fix implying a faster move than this from the last unflagged fix is an impossible jump.</summary>
    [Range(30, 2000)]
    public double MaxSpeedKmh { get; set; } = 250;

    /// <summary>After a gap of at least <see cref="ReanchorGap"/>, this many fixes that agree with each other re-anchor the truck.</summary>
    [Range(2, 100)]
    public int ReanchorFixes { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ReanchorGap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Without a gap, a longer run that agrees with itself re-anchors too: a bad anchor must not poison a truck for good.</summary>
    [Range(2, 1000)]
    public int ReanchorFixesWithoutGap { get; set; } = 10;

    /// <summary>
    /// A fix whose reported accuracy (radius, metres) is over this is flagged as low-accuracy: a
    /// phone without GPS (cell or Wi-Fi location) or a tracker in a garage can be hundreds of metres off.
    /// </summary>
    [Range(5, 10_000)]
    public double MaxAccuracyMeters { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReanchorFixesWithoutGap < ReanchorFixes)
            yield return new ValidationResult(
                $"{nameof(ReanchorFixesWithoutGap)} ({ReanchorFixesWithoutGap}) must be at least {nameof(ReanchorFixes)} ({ReanchorFixes}): a run without a gap is the weaker evidence.",
                [nameof(ReanchorFixesWithoutGap)]);
    }
}

/// <summary>The last unflagged fix of a truck, and the run of flagged fixes since it that agree with each other.</summary>
public sealed record FixAnchor(double Latitude, double Longitude, DateTimeOffset RecordedAt, IReadOnlyList<TruckPosition> SuspectRun)
{
    public static FixAnchor From(TruckPosition fix) => new(fix.Latitude, fix.Longitude, fix.RecordedAt, []);
}

/// <summary>A fix and why it is flagged (null: a good fix, which moves the truck).</summary>
public sealed record JudgedFix(TruckPosition Fix, string? Flag);

/// <summary>
/// Fix quality, in one place. A fix that reports an accuracy coarser than
/// <see cref="FixQualityOptions.MaxAccuracyMeters"/> is flagged low-accuracy first: it says little
/// about where the truck is, so it neither becomes the anchor nor joins a run that could re-anchor,
/// and the fixes after it are judged as if it had not come. A fix whose implied speed from the
/// truck's last unflagged fix (in device-time order) is over <see cref="FixQualityOptions.MaxSpeedKmh"/>
/// is flagged as an impossible jump with its reason.
/// One bad fix does not poison the ones after it: each is judged against the last unflagged fix,
/// not the previous one. A run of flagged fixes that agree with each other re-anchors the truck
/// (a truck that drove with its phone off, or a bad anchor): after a real gap
/// (<see cref="FixQualityOptions.ReanchorGap"/>) once it has <see cref="FixQualityOptions.ReanchorFixes"/>
/// fixes, without one once it has <see cref="FixQualityOptions.ReanchorFixesWithoutGap"/>; the fix that
/// completes the run is accepted and becomes the anchor. Pure: the caller keeps the anchor per truck.
/// </summary>
public static class FixJudge
{
    public const string ImpossibleJump = "impossible-jump";

    public const string LowAccuracy = "low-accuracy";

    /// <summary>Judges <paramref name="fixes"/> (one truck, device-time order) from <paramref name="anchor"/> (null: none yet).</summary>
    public static (IReadOnlyList<JudgedFix> Judged, FixAnchor? Anchor) Judge(FixAnchor? anchor, IReadOnlyList<TruckPosition> fixes, FixQualityOptions options)
    {
        var judged = new List<JudgedFix>(fixes.Count);
        foreach (var fix in fixes)
        {
            if (IsLowAccuracy(fix, options))
            {
                judged.Add(new JudgedFix(fix, AccuracyReason(fix, options)));
                continue;
            }
            if (anchor is null)
            {
                anchor = FixAnchor.From(fix);
                judged.Add(new JudgedFix(fix, null));
                continue;
            }
            var kmh = SpeedKmh(anchor.Latitude, anchor.Longitude, anchor.RecordedAt, fix);
            if (fix.RecordedAt < anchor.RecordedAt)
            {
                // A late fix from before the anchor: judged against it, and never moves the truck back.
                judged.Add(new JudgedFix(fix, kmh <= options.MaxSpeedKmh ? null : Reason(kmh, anchor, options)));
                continue;
            }
            if (kmh <= options.MaxSpeedKmh)
            {
                judged.Add(new JudgedFix(fix, null));
                anchor = FixAnchor.From(fix);
                continue;
            }
            var run = Extend(anchor.SuspectRun, fix, options);
            var gap = run[0].RecordedAt - anchor.RecordedAt;
            if (run.Count >= (gap >= options.ReanchorGap ? options.ReanchorFixes : options.ReanchorFixesWithoutGap))
            {
                judged.Add(new JudgedFix(fix, null)); // the run agrees with itself: the truck is here now
                anchor = FixAnchor.From(fix);
                continue;
            }
            judged.Add(new JudgedFix(fix, Reason(kmh, anchor, options)));
            anchor = anchor with { SuspectRun = run };
        }
        return (judged, anchor);
    }

    /// <summary>
    /// The anchor as it stood after <paramref name="anchor"/> (the truck's last unflagged fix) and
    /// the fixes flagged as jumps since it (device-time order; see <see cref="IsJump"/>): the suspect
    /// run is rebuilt from them, so a node that takes over a shard judges as the previous one would have.
    /// </summary>
    public static FixAnchor Resume(TruckPosition anchor, IReadOnlyList<TruckPosition> jumpsSince, FixQualityOptions options)
    {
        IReadOnlyList<TruckPosition> run = [];
        foreach (var fix in jumpsSince)
            if (fix.RecordedAt > anchor.RecordedAt) run = Extend(run, fix, options);
        return FixAnchor.From(anchor) with { SuspectRun = run };
    }

    /// <summary>Whether a stored flag marks a jump (which may belong to a re-anchoring run), not a low-accuracy fix (which never does).</summary>
    public static bool IsJump(string flag) => !flag.StartsWith(LowAccuracy, StringComparison.Ordinal);

    /// <summary>A reported accuracy coarser than the limit; a fix that reports none is taken as it is.</summary>
    public static bool IsLowAccuracy(TruckPosition fix, FixQualityOptions options) => fix.AccuracyMeters > options.MaxAccuracyMeters;

    private static string AccuracyReason(TruckPosition fix, FixQualityOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"{LowAccuracy}: {fix.AccuracyMeters:F0} m reported (limit {options.MaxAccuracyMeters:F0} m)");

    private static string Reason(double kmh, FixAnchor anchor, FixQualityOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"{ImpossibleJump}: {kmh:F0} km/h from the fix at {anchor.RecordedAt:O} (limit {options.MaxSpeedKmh:F0})");

    /// <summary>The suspect run with <paramref name="fix"/> added, or a new run starting at it when it does not agree with the run's last fix.</summary>
    private static List<TruckPosition> Extend(IReadOnlyList<TruckPosition> run, TruckPosition fix, FixQualityOptions options)
    {
        if (run.Count > 0)
        {
            var last = run[^1];
            if (fix.RecordedAt > last.RecordedAt && SpeedKmh(last.Latitude, last.Longitude, last.RecordedAt, fix) <= options.MaxSpeedKmh)
                return [.. run, fix];
        }
        return [fix];
    }

    /// <summary>Implied speed between two fixes; two fixes at the same device time are as far apart as they are in one second.</summary>
    public static double SpeedKmh(double lat, double lon, DateTimeOffset at, TruckPosition fix)
    {
        var meters = EtaEstimator.DistanceMeters(lat, lon, fix.Latitude, fix.Longitude);
        var seconds = Math.Max(1, Math.Abs((fix.RecordedAt - at).TotalSeconds));
        return meters / seconds * 3.6;
    }
}
