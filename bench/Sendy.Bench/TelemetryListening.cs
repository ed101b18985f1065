using System.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Sendy.Console.Telemetry;
using Sendy.Engine.Consumers.Status;

namespace Sendy.Bench;

/// <summary>
/// The node's tracing and metrics set-up (the same sampler, sources and meters as
/// TelemetryServiceCollectionExtensions) with batch export into exporters that only count: what
/// telemetry costs the process, without a collector's network in the figure.
/// </summary>
public sealed class TelemetryListening : IDisposable
{
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metrics;
    private readonly CountingSpans _spans = new();
    private readonly CountingMetrics _metricExports = new();

    private TelemetryListening()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new ParentBasedSampler(new BackgroundRootsSampler()))
            .AddSource(EngineActivities.SourceName)
            .AddNpgsql()
            .AddProcessor(new BatchActivityExportProcessor(_spans))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Sendy.*", "Npgsql")
            .AddReader(new PeriodicExportingMetricReader(_metricExports, exportIntervalMilliseconds: 1000))
            .Build();
    }

    public static TelemetryListening Start() => new();

    public long Spans => Interlocked.Read(ref _spans.Count);

    public long MetricBatches => Interlocked.Read(ref _metricExports.Count);

    public void Dispose()
    {
        _tracing.ForceFlush();
        _tracing.Dispose();
        _metrics.Dispose();
    }

    private sealed class CountingSpans : BaseExporter<Activity>
    {
        public long Count;

        public override ExportResult Export(in Batch<Activity> batch)
        {
            Interlocked.Add(ref Count, batch.Count);
            return ExportResult.Success;
        }
    }

    private sealed class CountingMetrics : BaseExporter<Metric>
    {
        public long Count;

        public override ExportResult Export(in Batch<Metric> batch)
        {
            Interlocked.Increment(ref Count);
            return ExportResult.Success;
        }
    }
}
