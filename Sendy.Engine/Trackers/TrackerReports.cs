using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Trackers;

/// <summary>How many refused fixes a truck's tracker sent lately, and the newest reason.</summary>
public sealed record TrackerRefusalSummary(string TruckId, long Count, DateTimeOffset Last, string LastReason);

/// <summary>
/// What admins see of trackers that do not work: requests for unknown device ids (per hash prefix
/// and address) and refused fixes of known devices (with bytes and reason). Both are kept for
/// <see cref="RetainFor"/>; each node purges older rows at most hourly, when it next writes one.
/// </summary>
public sealed class TrackerReports
{
    public const string MeterName = "Sendy.Trackers";
    public static readonly TimeSpan RetainFor = TimeSpan.FromDays(7);
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);
    private readonly IDbContextFactory<SendyDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly Counter<long> _unknown;
    private readonly Counter<long> _refused;
    private long _nextPurgeTicks;

    public TrackerReports(IDbContextFactory<SendyDbContext> contexts, TimeProvider time, IMeterFactory meters)
    {
        _contexts = contexts;
        _time = time;
        var meter = meters.Create(MeterName);
        _unknown = meter.CreateCounter<long>("sendy.trackers.unknown_requests", "{request}",
            "Tracker requests whose device id no truck has (answered like any other; nothing stored)");
        _refused = meter.CreateCounter<long>("sendy.trackers.refused_fixes", "{request}",
            "Tracker requests of known devices that could not be stored (kept with their reason)");
    }

    /// <summary>Counts a request for an unknown (or missing) device id from <paramref name="address"/>.</summary>
    public async Task RecordUnknownAsync(string? deviceId, string address, CancellationToken cancellationToken)
    {
        _unknown.Add(1);
        var now = _time.GetUtcNow();
        var prefix = string.IsNullOrEmpty(deviceId) ? "(none)" : TrackerIds.HashPrefix(deviceId);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO unknown_tracker_ids (id_hash_prefix, address, first_seen, last_seen, count)
            VALUES ({prefix}, {Clip(address, 64)}, {now}, {now}, 1)
            ON CONFLICT (id_hash_prefix, address)
            DO UPDATE SET last_seen = GREATEST(unknown_tracker_ids.last_seen, excluded.last_seen), count = unknown_tracker_ids.count + 1
            """, cancellationToken);
        await PurgeIfDueAsync(db, now, cancellationToken);
    }

    public async Task RefuseAsync(string truckId, byte[] data, string reason, CancellationToken cancellationToken)
    {
        _refused.Add(1);
        var now = _time.GetUtcNow();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        db.TrackerRefusals.Add(new TrackerRefusal { TruckId = truckId, ReceivedAt = now, Reason = Clip(reason, 500), Data = data });
        await db.SaveChangesAsync(cancellationToken);
        await PurgeIfDueAsync(db, now, cancellationToken);
    }

    /// <summary>Unknown device ids seen since <paramref name="since"/>, newest first.</summary>
    public async Task<IReadOnlyList<UnknownTrackerSighting>> UnknownSinceAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await db.UnknownTrackerSightings.AsNoTracking().Where(s => s.LastSeen >= since)
            .OrderByDescending(s => s.LastSeen).ThenBy(s => s.IdHashPrefix).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Refused fixes per truck since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyDictionary<string, TrackerRefusalSummary>> RefusalsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.TrackerRefusals.AsNoTracking().Where(r => r.ReceivedAt >= since)
            .GroupBy(r => r.TruckId)
            .Select(g => new
            {
                TruckId = g.Key,
                Count = g.LongCount(),
                Last = g.Max(r => r.ReceivedAt),
                LastReason = g.OrderByDescending(r => r.Id).Select(r => r.Reason).First(),
            })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.TruckId, r => new TrackerRefusalSummary(r.TruckId, r.Count, r.Last, r.LastReason), StringComparer.Ordinal);
    }

    /// <summary>The newest refusals of one truck (reason and the request as received).</summary>
    public async Task<IReadOnlyList<TrackerRefusal>> RecentRefusalsAsync(string truckId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await db.TrackerRefusals.AsNoTracking().Where(r => r.TruckId == truckId)
            .OrderByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Deletes what is older than <see cref="RetainFor"/>; returns the rows removed.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        return await PurgeAsync(db, _time.GetUtcNow(), cancellationToken);
    }

    private async Task PurgeIfDueAsync(SendyDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = Interlocked.Read(ref _nextPurgeTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPurgeTicks, (now + PurgeEvery).UtcTicks, due) != due) return;
        await PurgeAsync(db, now, cancellationToken);
    }

    private static async Task<int> PurgeAsync(SendyDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - RetainFor;
        var refusals = await db.TrackerRefusals.Where(r => r.ReceivedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        var sightings = await db.UnknownTrackerSightings.Where(s => s.LastSeen < cutoff).ExecuteDeleteAsync(cancellationToken);
        return refusals + sightings;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
