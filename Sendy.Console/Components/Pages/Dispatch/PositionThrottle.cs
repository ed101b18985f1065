using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// Coalesces live positions by truck (newest wins) and hands them on in one batch at most once
/// per interval. A flush never overlaps the previous one: what arrives meanwhile waits for the
/// next, so a slow browser gets fewer, larger batches rather than a queue.
/// </summary>
public sealed class PositionThrottle : IDisposable
{
    private readonly Func<IReadOnlyList<TruckPosition>, Task> _flush;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private Dictionary<string, TruckPosition> _pending = new(StringComparer.Ordinal);
    private long _lastFlushTicks;
    private bool _scheduled;
    private bool _flushing;
    private bool _disposed;

    public PositionThrottle(TimeSpan interval, TimeProvider time, Func<IReadOnlyList<TruckPosition>, Task> flush)
    {
        _interval = interval;
        _time = time;
        _flush = flush;
        _lastFlushTicks = time.GetTimestamp() - (long)(interval.TotalSeconds * time.TimestampFrequency);
        _timer = time.CreateTimer(_ => _ = FlushAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised when a flush throws; the throttle keeps going.</summary>
    public event Action<Exception>? FlushFailed;

    public void Offer(IReadOnlyList<TruckPosition> positions)
    {
        TimeSpan? due;
        lock (_gate)
        {
            if (_disposed) return;
            foreach (var p in positions)
                if (!_pending.TryGetValue(p.TruckId, out var held) || p.RecordedAt >= held.RecordedAt)
                    _pending[p.TruckId] = p;
            due = ScheduleLocked();
        }
        Arm(due);
    }

    /// <summary>When the next flush is due, if one must be armed now (not while one is armed or running).</summary>
    private TimeSpan? ScheduleLocked()
    {
        if (_disposed || _scheduled || _flushing || _pending.Count == 0) return null;
        _scheduled = true;
        var due = _interval - _time.GetElapsedTime(_lastFlushTicks);
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    // Outside the lock: a timer may fire on the calling thread (a fake clock does).
    private void Arm(TimeSpan? due)
    {
        if (due is { } d)
        {
            try
            {
                _timer.Change(d, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed between the lock and here: nothing left to flush to.
            }
        }
    }

    private async Task FlushAsync()
    {
        Dictionary<string, TruckPosition> batch;
        lock (_gate)
        {
            _scheduled = false;
            if (_disposed || _flushing || _pending.Count == 0) return;
            batch = _pending;
            _pending = new Dictionary<string, TruckPosition>(StringComparer.Ordinal);
            _flushing = true;
            _lastFlushTicks = _time.GetTimestamp();
        }

        try
        {
            await _flush(batch.Values.ToArray());
        }
        catch (Exception ex)
        {
            FlushFailed?.Invoke(ex);
        }

        TimeSpan? due;
        lock (_gate)
        {
            _flushing = false;
            due = ScheduleLocked();
        }
        Arm(due);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _pending.Clear();
        }
        _timer.Dispose();
    }
}
