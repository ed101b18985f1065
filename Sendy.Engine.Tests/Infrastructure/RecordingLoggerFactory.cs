using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>One log call: its event name (the [LoggerMessage] method's name) and its named values.</summary>
public sealed record LogEntry(string Category, string? EventName, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values)
{
    public object? this[string name] => Values.FirstOrDefault(v => v.Key == name).Value;
}

/// <summary>
/// Keeps every log call, for tests whose signal is something the code logs when it decides
/// (for example a shard consumer deciding to wait), rather than a sleep.
/// </summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public int Count(string eventName, Func<LogEntry, bool>? where = null) =>
        _entries.Count(e => e.EventName == eventName && (where is null || where(e)));

    /// <summary>How often each event was logged, and the text of the last few: what a failed wait reports.</summary>
    public string Summary(int last = 12)
    {
        var entries = _entries.ToArray();
        var counts = string.Join(", ", entries.GroupBy(e => e.EventName ?? "?").Select(g => $"{g.Key}×{g.Count()}"));
        return $"logged: {counts}; last: " + string.Join(" | ", entries.TakeLast(last).Select(e => e.Message));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, eventId.Name, formatter(state, exception),
                state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }
}
