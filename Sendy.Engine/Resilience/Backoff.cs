namespace Sendy.Engine.Resilience;

/// <summary>
/// The one way a loop waits after a failure: doubling from <c>initial</c> up to <c>max</c>, with
/// equal jitter (half fixed, half random: many nodes retrying spread out, and never zero).
/// <see cref="Reset"/> after a success. Used by the shard consumers and the scheduler, the
/// PostgreSQL listeners, the outbox dispatcher, the stream writer's retries of refused records and
/// the OpenSearch bulk indexer's retries of throttled documents, and the webhook messages' retries
/// (which keep their count in the database and ask <see cref="Delay"/>).
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private int _failures;

    public TimeSpan Next() => Delay(initial, max, _failures++);

    /// <summary>The wait after <paramref name="failures"/> + 1 failures in a row: between half and all of min(initial · 2^failures, max).</summary>
    public static TimeSpan Delay(TimeSpan initial, TimeSpan max, int failures)
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures, 0, 30)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    public void Reset() => _failures = 0;
}
