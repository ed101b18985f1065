using Sendy.Engine.Nodes;
using Sendy.Engine.Storage;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sendy.Engine.Deliveries.Live;

/// <summary>
/// Status changes across nodes over PostgreSQL LISTEN/NOTIFY on <see cref="Channel"/>, the pattern
/// of <see cref="Tracking.LiveRelay"/>: the status transaction queues the notification, so peers
/// hear only of committed changes; the writing node publishes locally itself and skips its own.
/// </summary>
public sealed partial class StatusRelay(NpgsqlDataSource dataSource, IDeliveryStatusPublisher local, NodeId node,
    TimeProvider time, ILogger<StatusRelay> logger) : BackgroundService
{
    public const string Channel = "sendy_status";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Payload(string O, DeliveryStatusChanged C);

    /// <summary>The payload for pg_notify; a status event is far below PostgreSQL's 8000-byte limit (note and reason are capped at 500).</summary>
    public static string PayloadFor(string originNode, DeliveryStatusChanged change) => JsonSerializer.Serialize(new Payload(originNode, change), Json);

    internal static (string Origin, DeliveryStatusChanged Change)? Parse(string payload)
    {
        try
        {
            var p = JsonSerializer.Deserialize<Payload>(payload, Json);
            return p?.C is null ? null : (p.O, p.C);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PostgresListener.ListenAsync(dataSource, Channel, OnPayload,
                (delayMs, ex) => LogListenFailed(logger, delayMs, ex), time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnPayload(string payload)
    {
        if (Parse(payload) is not { } message || message.Origin == node.Value) return;
        local.Publish(message.Change);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status relay lost its PostgreSQL connection; reconnecting in {DelayMs:F0} ms")]
    private static partial void LogListenFailed(ILogger logger, double delayMs, Exception exception);
}
