namespace Sendy.Engine.Leasing;

/// <summary>What one taking cycle decided for one worker.</summary>
public sealed record TakePlan(IReadOnlyList<Lease> Take, Lease? Steal, int Target, int LiveWorkers);

/// <summary>
/// KCL's lease-taking rules as a pure function: aim for ceil(leases / live workers); take expired or
/// unowned leases first, oldest renewal first; when none is free and we are short, steal one lease
/// (never more per cycle) from the most loaded worker, and only when it holds more than the target
/// (or exactly the target while we need two or more) — so leases converge without flapping.
/// </summary>
public static class LeaseTaker
{
    public static TakePlan Plan(IReadOnlyList<Lease> leases, string workerId, TimeSpan leaseDuration, DateTimeOffset now)
    {
        var active = leases.Where(l => !l.IsFinished).ToList();
        if (active.Count == 0) return new TakePlan([], null, 0, 1);

        var liveCounts = active
            .Where(l => !l.IsExpired(leaseDuration, now))
            .GroupBy(l => l.Owner!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        liveCounts.TryAdd(workerId, 0);
        var target = (int)Math.Ceiling(active.Count / (double)liveCounts.Count);
        var mine = liveCounts[workerId];
        var needed = target - mine;
        if (needed <= 0) return new TakePlan([], null, target, liveCounts.Count);

        var free = active
            .Where(l => l.Owner != workerId && l.IsExpired(leaseDuration, now))
            .OrderBy(l => l.LastRenewedAt ?? DateTimeOffset.MinValue)
            .ThenBy(l => l.ShardId, StringComparer.Ordinal)
            .Take(needed)
            .ToList();
        if (free.Count > 0) return new TakePlan(free, null, target, liveCounts.Count);

        var (victim, victimCount) = liveCounts
            .Where(kv => kv.Key != workerId)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, kv.Value))
            .FirstOrDefault();
        var shouldSteal = victim is not null && (victimCount > target || (needed > 1 && victimCount >= target));
        if (!shouldSteal) return new TakePlan([], null, target, liveCounts.Count);

        // Deterministic pick among the victim's leases keeps two thieves from fighting over different ones.
        var steal = active.Where(l => l.Owner == victim && !l.IsExpired(leaseDuration, now))
            .OrderBy(l => l.ShardId, StringComparer.Ordinal).First();
        return new TakePlan([], steal, target, liveCounts.Count);
    }
}
