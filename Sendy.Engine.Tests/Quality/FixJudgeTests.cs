using Sendy.Engine.Quality;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Quality;

/// <summary>
/// Impossible jumps are flagged against the last unflagged fix; a run that agrees with itself
/// re-anchors; a fix reporting a coarse accuracy is flagged and counts for nothing.
/// </summary>
public sealed class FixJudgeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly FixQualityOptions Options = new();

    /// <summary>A fix <paramref name="km"/> km north of Seoul City Hall, <paramref name="seconds"/> after T0.</summary>
    private static TruckPosition At(double km, double seconds, double? accuracyMeters = null) =>
        new("T-1", 37.5665 + km / 111.2, 126.978, T0.AddSeconds(seconds), T0.AddSeconds(seconds), AccuracyMeters: accuracyMeters);

    /// <summary>"ok", "jump" or "low" (low accuracy) per fix.</summary>
    private static string Flags(IReadOnlyList<JudgedFix> judged) => string.Join(" ", judged.Select(j => j.Flag switch
    {
        null => "ok",
        var f when f.StartsWith(FixJudge.LowAccuracy + ": ", StringComparison.Ordinal) => "low",
        var f when f.StartsWith(FixJudge.ImpossibleJump + ": ", StringComparison.Ordinal) => "jump",
        var f => f,
    }));

    [Fact]
    public void a_truck_driving_at_90_kmh_is_never_flagged()
    {
        var fixes = Enumerable.Range(0, 20).Select(i => At(i * 0.25, i * 10)).ToList(); // 250 m per 10 s = 90 km/h

        var (judged, anchor) = FixJudge.Judge(null, fixes, Options);

        Assert.All(judged, j => Assert.Null(j.Flag));
        Assert.Equal(fixes[^1].RecordedAt, anchor!.RecordedAt);
    }

    [Fact]
    public void one_wild_fix_is_flagged_with_its_reason_and_does_not_poison_the_next()
    {
        var (judged, anchor) = FixJudge.Judge(null, [At(0, 0), At(0.2, 10), At(80, 20), At(0.4, 30), At(0.6, 40)], Options);

        Assert.Equal("ok ok jump ok ok", Flags(judged));
        Assert.StartsWith("impossible-jump: ", judged[2].Flag);
        Assert.Contains("km/h from the fix at 2026-12-05T09:00:10", judged[2].Flag);
        Assert.Equal(T0.AddSeconds(40), anchor!.RecordedAt);
        Assert.Empty(anchor.SuspectRun);
    }

    [Fact]
    public void the_anchor_carries_over_between_batches()
    {
        var (_, anchor) = FixJudge.Judge(null, [At(0, 0), At(0.2, 10)], Options);

        var (judged, _) = FixJudge.Judge(anchor, [At(50, 20), At(0.4, 30)], Options);

        Assert.Equal("jump ok", Flags(judged));
    }

    [Fact]
    public void after_a_real_gap_three_fixes_that_agree_re_anchor_the_truck()
    {
        // Phone off for 10 minutes; the truck is then 100 km away (a ferry, a train, a wrong anchor).
        var fixes = new[] { At(0, 0), At(100, 600), At(100.2, 610), At(100.4, 620), At(100.6, 630) };

        var (judged, anchor) = FixJudge.Judge(null, fixes, Options);

        Assert.Equal("ok jump jump ok ok", Flags(judged));
        Assert.Equal(T0.AddSeconds(630), anchor!.RecordedAt);
    }

    [Fact]
    public void without_a_gap_a_longer_consistent_run_re_anchors_a_bad_first_fix()
    {
        // The first fix of the day was 60 km off (a cell-tower fix); the true ones follow every 10 s.
        var fixes = new List<TruckPosition> { At(60, 0) };
        fixes.AddRange(Enumerable.Range(1, 12).Select(i => At(i * 0.2, i * 10)));

        var (judged, _) = FixJudge.Judge(null, fixes, Options);

        Assert.Equal(9, judged.Count(j => j.Flag is not null)); // fixes 1-9 flagged, the 10th of the run re-anchors
        Assert.All(judged.Skip(10), j => Assert.Null(j.Flag));
    }

    [Fact]
    public void fixes_that_disagree_with_each_other_never_re_anchor()
    {
        // Alternating wild fixes 80 km either side: each starts a new suspect run.
        var fixes = new List<TruckPosition> { At(0, 0) };
        fixes.AddRange(Enumerable.Range(1, 30).Select(i => At(i % 2 == 0 ? 80 : -80, 600 + i * 10)));

        var (judged, anchor) = FixJudge.Judge(null, fixes, Options);

        Assert.All(judged.Skip(1), j => Assert.NotNull(j.Flag));
        Assert.Equal(T0, anchor!.RecordedAt);
    }

    [Fact]
    public void a_late_fix_from_before_the_anchor_is_judged_but_never_moves_the_truck_back()
    {
        var (_, anchor) = FixJudge.Judge(null, [At(0, 0), At(0.2, 10)], Options);

        var (judged, after) = FixJudge.Judge(anchor, [At(0.1, 5), At(90, 6)], Options);

        Assert.Equal("ok jump", Flags(judged));
        Assert.Equal(T0.AddSeconds(10), after!.RecordedAt);
    }

    [Fact]
    public void a_fix_coarser_than_the_accuracy_limit_is_flagged_with_its_reason_wherever_it_lies()
    {
        // 50 m off the road at 90 km/h, but reporting 350 m: flagged although nothing about it is impossible.
        var (judged, anchor) = FixJudge.Judge(null, [At(0, 0, 8), At(0.25, 10, 350), At(0.5, 20, 100), At(0.75, 30)], Options);

        Assert.Equal("ok low ok ok", Flags(judged));
        Assert.Equal("low-accuracy: 350 m reported (limit 100 m)", judged[1].Flag);
        Assert.Equal(T0.AddSeconds(30), anchor!.RecordedAt); // exactly at the limit, and no accuracy at all, are taken
    }

    [Fact]
    public void a_low_accuracy_fix_never_becomes_the_anchor_not_even_the_first()
    {
        // A cell-tower fix 40 km off comes first; the GPS fixes after it are judged as if it had not come.
        var (judged, anchor) = FixJudge.Judge(null, [At(40, 0, 3_000), At(0, 10, 5), At(60, 20, 2_000), At(0.25, 20, 5)], Options);

        Assert.Equal("low ok low ok", Flags(judged));
        Assert.Equal((T0.AddSeconds(20), 0.25), (anchor!.RecordedAt, Math.Round((anchor.Latitude - 37.5665) * 111.2, 3)));
        Assert.Empty(anchor.SuspectRun);
    }

    [Fact]
    public void low_accuracy_fixes_do_not_count_towards_a_run_that_re_anchors()
    {
        // Phone off for 10 minutes, then the truck is 100 km on: coarse fixes there prove nothing,
        // three precise ones that agree re-anchor as before.
        var fixes = new[] { At(0, 0), At(100, 600, 900), At(100.1, 605, 900), At(100.2, 610), At(100.3, 615, 900), At(100.4, 620), At(100.6, 630) };

        var (judged, anchor) = FixJudge.Judge(null, fixes, Options);

        Assert.Equal("ok low low jump low jump ok", Flags(judged));
        Assert.Equal(T0.AddSeconds(630), anchor!.RecordedAt);
    }

    [Fact]
    public void a_stored_flag_says_whether_the_fix_may_belong_to_a_re_anchoring_run()
    {
        Assert.True(FixJudge.IsJump("impossible-jump: 900 km/h from the fix at 2026-12-05T09:00:00.0000000+00:00 (limit 250)"));
        Assert.False(FixJudge.IsJump("low-accuracy: 900 m reported (limit 100 m)"));
    }
}
