using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Nodes;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// Geofences, as a periodic set-based check over <c>latest_positions</c> (every 2 s by default)
/// rather than a hook in the consumer: one query finds open deliveries whose truck's newest
/// stored fix, taken after the last status change, is within the radius (ST_DWithin on geography):
/// InTransit near the drop-off becomes Arrived (a system status event, idempotency key
/// "geofence:arrived"); EnRouteToPickup near the pickup only marks <c>at_pickup_at</c> and tells
/// the driver page, which suggests "Picked up" — loading is a person's call.
/// Every node may run it: the status row lock and the idempotency key make duplicates harmless.
/// </summary>
public sealed partial class GeofenceWatcher(NpgsqlDataSource dataSource, DeliveryStatusService statuses, IDeliveryStatusPublisher live,
    NodeId node, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<GeofenceWatcher> logger) : BackgroundService
{
    private const string Find = """
        SELECT d.id, d.status = 'InTransit'
        FROM deliveries d JOIN latest_positions p ON p.truck_id = d.truck_id
        WHERE p.recorded_at > d.status_changed_at
          AND ((d.status = 'InTransit' AND d.dropoff_location IS NOT NULL
                AND ST_DWithin(p.location::geography, d.dropoff_location::geography, $1))
            OR (d.status = 'EnRouteToPickup' AND d.at_pickup_at IS NULL AND d.pickup_location IS NOT NULL
                AND ST_DWithin(p.location::geography, d.pickup_location::geography, $1)))
        """;

    private const string MarkAtPickup = """
        UPDATE deliveries SET at_pickup_at = $2 WHERE id = $1 AND at_pickup_at IS NULL AND status = 'EnRouteToPickup'
        """;

    /// <summary>One pass; returns the deliveries it moved or marked.</summary>
    public async Task<int> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var hits = new List<(Guid Id, bool Arrived)>();
        await using (var cmd = dataSource.CreateCommand(Find))
        {
            cmd.Parameters.Add(new() { Value = options.Value.GeofenceRadiusMeters });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) hits.Add((reader.GetGuid(0), reader.GetBoolean(1)));
        }

        var done = 0;
        foreach (var (id, arrived) in hits)
        {
            if (arrived)
            {
                var result = await statuses.ChangeAsync(new StatusChangeRequest(id, DeliveryStatus.Arrived, StatusActor.System("geofence"),
                    "geofence:arrived", Note: "arrived at the drop-off (geofence)"), cancellationToken);
                if (result.Outcome == StatusChangeOutcome.Changed) done++;
                continue;
            }
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using var mark = new NpgsqlCommand(MarkAtPickup, connection, tx) { Parameters = { new() { Value = id }, new() { Value = time.GetUtcNow() } } };
            if (await mark.ExecuteNonQueryAsync(cancellationToken) == 0) continue;
            var change = new DeliveryStatusChanged(id, null, AtPickup: true);
            await using (var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection, tx)
            { Parameters = { new() { Value = StatusRelay.Channel }, new() { Value = StatusRelay.PayloadFor(node.Value, change) } } })
                await notify.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            live.Publish(change);
            done++;
        }
        return done;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GeofenceInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CheckOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Geofence check failed; trying again next tick")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
