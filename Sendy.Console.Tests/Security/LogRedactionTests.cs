using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Security;

/// <summary>With the shipped logging configuration, no driver or tracking token reaches a log line.</summary>
public sealed class LogRedactionTests(LogRedactionTests.CapturingApp app) : IClassFixture<LogRedactionTests.CapturingApp>
{
    public sealed class CapturingApp : SendyAppFactory
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(new CapturingProvider(Lines)));
        }
    }

    [Fact]
    public async Task tokens_never_appear_in_logs()
    {
        var (_, driverToken, trackingToken) = await app.CreateTruckWithDeliveryAsync();
        var client = app.CreateClient();
        using (var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent($$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""", Encoding.UTF8, "application/json"),
        })
        {
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
            await client.SendAsync(post);
        }
        using (var bad = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions") { Content = new StringContent("{", Encoding.UTF8, "application/json") })
        {
            bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
            await client.SendAsync(bad);
        }
        await client.GetAsync($"/t/{trackingToken}");
        await client.GetAsync($"/d/{driverToken}");
        await client.GetAsync("/t/wrong-token-but-still-a-secret-xxxxxxxxxx");

        Assert.NotEmpty(app.Lines); // the capture works: the app did log
        Assert.DoesNotContain(app.Lines, l => l.Contains(driverToken, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Lines, l => l.Contains(trackingToken, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Lines, l => l.Contains("wrong-token-but-still-a-secret", StringComparison.Ordinal));
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
