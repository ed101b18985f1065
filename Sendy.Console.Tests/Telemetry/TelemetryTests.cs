using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Consumers.Status;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Telemetry;

/// <summary>
/// The node's OpenTelemetry as an operator's collector would receive it, read from in-memory
/// exporters: one trace per position batch from GetRecords to the live push (PostgreSQL's spans
/// inside it), no traces for idle polls, and the sendy.* and ASP.NET Core metrics.
/// </summary>
public sealed class TelemetryTests(TelemetryTests.App app) : IClassFixture<TelemetryTests.App>
{
    public sealed class App : SendyAppFactory
    {
        public ConcurrentQueue<Activity> Spans { get; } = new();

        public List<Metric> Metrics { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(Spans))));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
            });
        }

        private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
        {
            public override ExportResult Export(in Batch<Activity> batch)
            {
                foreach (var span in batch) spans.Enqueue(span);
                return ExportResult.Success;
            }
        }
    }

    [Fact]
    public async Task a_position_batch_is_one_trace_from_get_records_through_the_store_to_the_live_push()
    {
        var (_, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        var posted = await app.CreateClient().SendAsync(PostFix(driverToken));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        var batch = await Eventually.ReachesAsync(
            () => Task.FromResult(app.Spans.FirstOrDefault(s => s.DisplayName == "positions batch" && Equals(s.GetTagItem("sendy.stream"), app.StreamName))),
            span => span is not null, "a positions batch span of this app's stream");
        var trace = await Eventually.ReachesAsync(
            () => Task.FromResult(app.Spans.Where(s => s.TraceId == batch!.TraceId).ToList()),
            spans => spans.Any(s => s.DisplayName == "live push"), "the batch's live push span");

        Assert.Equal(ActivityKind.Consumer, batch!.Kind);
        Assert.Equal(default, batch.ParentSpanId); // a root: the batch is its own trace
        var read = Assert.Single(trace, s => s.DisplayName == "GetRecords");
        var store = Assert.Single(trace, s => s.DisplayName == "store");
        var push = Assert.Single(trace, s => s.DisplayName == "live push");
        Assert.All([read, store, push], s => Assert.Equal(batch.SpanId, s.ParentSpanId));
        Assert.True(read.StartTimeUtc <= store.StartTimeUtc && store.StartTimeUtc <= push.StartTimeUtc, "read, then store, then push");
        Assert.Contains(trace, s => s.Source.Name == "Npgsql" && s.ParentSpanId == store.SpanId); // the COPY and checkpoint inside the store
        Assert.True((int)store.GetTagItem("sendy.stored")! >= 1);

        // Polls came before this batch (every 20 ms here) and made no trace: every root is a
        // request a node served or a batch, never a GetRecords, a lease renewal or a LISTEN
        // (client spans without a parent are sampled out).
        Assert.DoesNotContain(app.Spans, s => s.ParentSpanId == default && s.Kind == ActivityKind.Client);
        Assert.Contains(app.Spans, s => s.ParentSpanId == default && s.Kind == ActivityKind.Server && s.DisplayName.Contains("/api/v1/positions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_sendy_meters_and_http_server_metrics_are_exported()
    {
        var (_, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await app.CreateClient().SendAsync(PostFix(driverToken))).StatusCode);
        var provider = app.Services.GetRequiredService<MeterProvider>();

        var names = await Eventually.ReachesAsync(() =>
        {
            lock (app.Metrics)
            {
                app.Metrics.Clear();
                provider.ForceFlush();
                return Task.FromResult(app.Metrics.Select(m => m.Name).ToHashSet());
            }
        }, n => n.Contains("sendy.consumer.records") && n.Contains("sendy.consumer.newest_fix_age"), "the consumer's metrics after a stored fix");

        Assert.Contains("sendy.leases.held", names);
        Assert.Contains("sendy.consumer.millis_behind_latest", names);
        Assert.Contains("http.server.request.duration", names);
    }

    private static HttpRequestMessage PostFix(string token) => new(HttpMethod.Post, "/api/v1/positions")
    {
        Content = new StringContent($$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""",
            Encoding.UTF8, "application/json"),
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };
}
