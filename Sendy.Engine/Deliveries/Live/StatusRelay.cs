using Sendy.Engine.Nodes;
using Sendy.Engine.Storage;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sendy.Engine.Deliveries.Live;

/// <summary>
/// Status changes across nodes over PostgreSQL LISTEN/NOTIFY on <see cref="Channel"/>, the pattern
/// of <see cref="Tracking.LiveRelay"/>: the status transaction queues the notification, so peers
/// hear only of committed changes; the writing node publishes locally itself and skips its own.
/// PostgreSQL keeps no notifications for a listener that is away, so after its connection comes
/// back the relay republishes what happened meanwhile from the tables (<see cref="ResyncAsync"/>):
/// the status events and geofence hints since shortly before the loss was noticed. Subscribers
/// already take a repeated event once (the customer page by event id, the dispatcher's list by
/// re-reading the row).
/// </summary>
public sealed partial class StatusRelay(NpgsqlDataSource dataSource, IDbContextFactory<SendyDbContext> contexts,
    IDeliveryStatusPublisher local, NodeId node, TimeProvider time, ILogger<StatusRelay> logger) : BackgroundService
{
    public const string Channel = "sendy_status";

    /// <summary>
    /// How far before the moment the loss was noticed the resync reaches back: the connection may
    /// have been gone a little before it failed here, and another node's clock wrote the events.
    /// </summary>
    internal static readonly TimeSpan ResyncMargin = TimeSpan.FromMinutes(2);

    private DateTimeOffset? _lostAt;

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
                (delayMs, ex) =>
                {
                    _lostAt ??= time.GetUtcNow();
                    LogListenFailed(logger, delayMs, ex);
                }, time, stoppingToken, async cancellationToken =>
                {
                    if (_lostAt is not { } lost) return;
                    await ResyncAsync(lost - ResyncMargin, cancellationToken);
                    _lostAt = null;
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Republishes every status event that occurred since <paramref name="since"/>, in order, and the
    /// geofence's "at the pickup" hints given since then; returns how many changes it published.
    /// </summary>
    internal async Task<int> ResyncAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = await db.StatusEvents.AsNoTracking().Where(e => e.OccurredAt >= since)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var atPickup = await db.Deliveries.AsNoTracking()
            .Where(d => d.AtPickupAt >= since && d.Status == DeliveryStatus.EnRouteToPickup)
            .Select(d => d.Id).ToListAsync(cancellationToken);
        foreach (var e in events) local.Publish(new DeliveryStatusChanged(e.DeliveryId, StatusEventView.Of(e)));
        foreach (var id in atPickup) local.Publish(new DeliveryStatusChanged(id, null, AtPickup: true));
        LogResynced(logger, events.Count, atPickup.Count);
        return events.Count + atPickup.Count;
    }

    private void OnPayload(string payload)
    {
        if (Parse(payload) is not { } message || message.Origin == node.Value) return;
        local.Publish(message.Change);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status relay reconnected and republished {Events} status event(s) and {Hints} pickup hint(s) from the gap")]
    private static partial void LogResynced(ILogger logger, int events, int hints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status relay lost its PostgreSQL connection; reconnecting in {DelayMs:F0} ms")]
    private static partial void LogListenFailed(ILogger logger, double delayMs, Exception exception);
}
