using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Telemetry;

/// <summary>
/// Traces, metrics and logs. Where they go is OpenTelemetry's standard configuration: set
/// OTEL_EXPORTER_OTLP_ENDPOINT (and OTEL_EXPORTER_OTLP_PROTOCOL, _HEADERS, OTEL_SERVICE_NAME, ...)
/// to export all three over OTLP. Bound from "Sendy:Telemetry".
/// </summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Sendy:Telemetry";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bearer token Prometheus sends to scrape /metrics (its <c>authorization</c> setting). Unset:
    /// there is no /metrics at all. Metrics name trucks' shards and load, so they are never public.
    /// </summary>
    public string? PrometheusScrapeToken { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PrometheusScrapeToken is { Length: < 24 })
            yield return new ValidationResult($"{Section}:PrometheusScrapeToken must be at least 24 characters (a random secret).", [nameof(PrometheusScrapeToken)]);
    }
}
