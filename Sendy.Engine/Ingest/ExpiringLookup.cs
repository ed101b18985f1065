using System.Collections.Concurrent;

namespace Sendy.Engine.Ingest;

/// <summary>
/// A bounded, memory-only cache in front of a lookup that phones and trackers repeat every few
/// seconds: a hit skips the database; misses (null) are remembered too, for their own lifetime.
/// </summary>
internal sealed class ExpiringLookup<T>(TimeProvider time, TimeSpan foundTtl, TimeSpan missingTtl) where T : class
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, (T? Value, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public async Task<T?> GetAsync(string key, Func<string, CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var hit) && hit.Expires > now) return hit.Value;
        var value = await load(key, cancellationToken);
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[key] = (value, now + (value is null ? missingTtl : foundTtl));
        return value;
    }

    /// <summary>The cached value for <paramref name="key"/>, without loading; false when absent, expired or cached as missing.</summary>
    public bool TryPeek(string key, out T? value)
    {
        value = _entries.TryGetValue(key, out var hit) && hit.Expires > time.GetUtcNow() ? hit.Value : null;
        return value is not null;
    }

    public void Forget(string key) => _entries.TryRemove(key, out _);

    /// <summary>Drops every entry whose value matches (a scan: for rare admin changes, not the hot path).</summary>
    public void ForgetWhere(Func<T, bool> match)
    {
        foreach (var (key, entry) in _entries)
            if (entry.Value is { } value && match(value))
                _entries.TryRemove(key, out _);
    }
}
