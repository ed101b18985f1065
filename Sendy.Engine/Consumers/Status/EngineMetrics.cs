using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Sendy.Engine.Consumers.Status;

/// <summary>
/// The engine's metrics (System.Diagnostics.Metrics, meter "Sendy.Engine"): records and dead
/// letters as counters (rates come from the collector), steals, and per-shard gauges of lag and
/// checkpoint age read from the running consumers.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Sendy.Engine";
    private readonly Meter _meter;
    private readonly Counter<long> _records;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _steals;
    private readonly Counter<long> _flagged;
    private readonly Counter<long> _unplaced;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _newestFix = new();
    private readonly TimeProvider _time;
    private Func<IReadOnlyList<ShardStatus>> _shards = () => [];

    public EngineMetrics(IMeterFactory meters, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _meter = meters.Create(MeterName);
        _records = _meter.CreateCounter<long>("sendy.consumer.records", "{record}", "Records read from the stream and stored");
        _deadLetters = _meter.CreateCounter<long>("sendy.consumer.dead_letters", "{record}", "Records written to the dead-letter table");
        _steals = _meter.CreateCounter<long>("sendy.leases.steals", "{lease}", "Leases taken from a live worker to balance");
        _flagged = _meter.CreateCounter<long>("sendy.positions.flagged", "{fix}",
            "Fixes stored flagged (an impossible jump): kept, but they move no truck, delivery or ETA");
        _unplaced = _meter.CreateCounter<long>("sendy.positions.unplaced", "{fix}",
            "Fixes for a day without a partition (too old, too far ahead, or dropped): kept in positions_default until the partition job places them");
        _meter.CreateObservableGauge("sendy.leases.held", () => _shards().Count, "{lease}", "Leases this worker holds");
        _meter.CreateObservableGauge("sendy.consumer.millis_behind_latest", () => _shards()
            .Where(s => s.MillisBehindLatest is not null)
            .Select(s => new Measurement<long>(s.MillisBehindLatest!.Value, new KeyValuePair<string, object?>("shard", s.ShardId))),
            "ms", "How far each shard's consumer is behind the stream's tip");
        _meter.CreateObservableGauge("sendy.consumer.checkpoint_age", () => _shards()
            .Where(s => s.CheckpointAge is not null)
            .Select(s => new Measurement<double>(s.CheckpointAge!.Value.TotalMilliseconds, new KeyValuePair<string, object?>("shard", s.ShardId))),
            "ms", "Time since each shard's last checkpoint");
        _meter.CreateObservableGauge("sendy.consumer.newest_fix_age", NewestFixAges,
            "ms", "Age (device time) of the newest fix each shard's consumer stored: grows when trucks stop reporting or the consumer falls behind");
    }

    /// <summary>The meter these instruments belong to (tests listen to exactly this one).</summary>
    public Meter Meter => _meter;

    public void RecordsStored(int count) => _records.Add(count);

    public void DeadLettered(int count) => _deadLetters.Add(count);

    public void Stole() => _steals.Add(1);

    public void Flagged(int count) => _flagged.Add(count);

    public void Unplaced(int count) => _unplaced.Add(count);

    /// <summary>A batch of <paramref name="shardId"/> stored fixes up to <paramref name="deviceTime"/>.</summary>
    public void NewestFixStored(string shardId, DateTimeOffset deviceTime) =>
        _newestFix.AddOrUpdate(shardId, deviceTime, (_, known) => deviceTime > known ? deviceTime : known);

    // Only the shards this worker holds now: a shard handed to another node is that node's to report.
    private IEnumerable<Measurement<double>> NewestFixAges()
    {
        var now = _time.GetUtcNow();
        foreach (var shard in _shards())
        {
            if (_newestFix.TryGetValue(shard.ShardId, out var newest))
                yield return new Measurement<double>((now - newest).TotalMilliseconds, new KeyValuePair<string, object?>("shard", shard.ShardId));
        }
    }

    /// <summary>The coordinator tells the gauges where to read shard state.</summary>
    public void Observe(Func<IReadOnlyList<ShardStatus>> shards) => _shards = shards;

    public void Dispose() => _meter.Dispose();
}
