using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// What the browser tests' app host and its pages report (server warnings and errors, browser
/// console errors and page errors), with times, in <c>.sendy/test/ui-host.log</c>: the flake hunt
/// keeps that file per run, so a browser test that failed once in many runs can be read back
/// (was the circuit torn down? did a call throw?). Nothing here decides a test's outcome.
/// </summary>
public sealed class UiHostLog : ILoggerProvider
{
    private static readonly Lock Gate = new();
    private static readonly string Path = System.IO.Path.Combine(RepoPaths.Root, ".sendy", "test", "ui-host.log");

    public static void Write(string source, string text)
    {
        var line = $"{DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {source} {text}{Environment.NewLine}";
        lock (Gate)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                File.AppendAllText(Path, line);
            }
            catch (IOException)
            {
                // A diagnostic only: a full disk or a locked file must not fail a test.
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            Write("server", $"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
        }
    }
}
