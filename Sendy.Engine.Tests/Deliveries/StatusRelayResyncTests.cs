using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Nodes;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>
/// PostgreSQL keeps no notifications for a listener that is away: a status change another node
/// committed while this node's listening connection was down reaches its pages only through the
/// resync that follows the reconnect (the customer page would otherwise show the old status).
/// </summary>
public sealed class StatusRelayResyncTests : DeliveryDatabaseTests
{
    private sealed class RecordingPublisher : IDeliveryStatusPublisher
    {
        public ConcurrentQueue<DeliveryStatusChanged> Published { get; } = new();

        public void Publish(DeliveryStatusChanged change) => Published.Enqueue(change);
    }

    private Task<long> ListenerPidAsync() => Db.ScalarAsync<long>(
        "SELECT coalesce(max(pid), 0)::bigint FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN sendy_status'");

    [Fact]
    public async Task after_a_reconnect_the_relay_republishes_the_status_changes_and_pickup_hints_of_the_gap()
    {
        var (_, driver, delivery) = await H.DeliveryAsync(DeliveryStatus.PickedUp);
        var (_, _, nearPickup) = await H.DeliveryAsync(DeliveryStatus.EnRouteToPickup);
        var published = new RecordingPublisher();
        using var relay = new StatusRelay(Db.DataSource, H.Get<IDbContextFactory<SendyDbContext>>(), published, new NodeId("node-a"),
            TimeProvider.System, NullLogger<StatusRelay>.Instance);
        await relay.StartAsync(CancellationToken.None);
        var pid = await Eventually.ReachesAsync(ListenerPidAsync, p => p != 0, "relay listening");

        // Another node commits "in transit" and the geofence's pickup hint while this node's
        // notifications are lost: written here without NOTIFY, as PostgreSQL drops them for a
        // listener that is away; then the connection breaks.
        var missed = Guid.NewGuid();
        await Db.ExecuteAsync("""
            INSERT INTO delivery_status_events (id, delivery_id, from_status, to_status, actor_kind, actor_id, occurred_at, idempotency_key)
            VALUES ($1, $2, 'PickedUp', 'InTransit', 'Driver', $3, now(), 'missed-in-transit')
            """, missed, delivery, driver.ToString());
        await Db.ExecuteAsync("UPDATE deliveries SET status = 'InTransit', status_changed_at = now() WHERE id = $1", delivery);
        await Db.ExecuteAsync("UPDATE deliveries SET at_pickup_at = now() WHERE id = $1", nearPickup);
        Assert.Empty(published.Published);
        await Db.ExecuteAsync("SELECT pg_terminate_backend($1::int)", (int)pid);

        await Eventually.ReachesAsync(() => Task.FromResult(published.Published.Count(c => c.Event?.Id == missed)), n => n > 0,
            "the missed status event republished");
        var change = published.Published.First(c => c.Event?.Id == missed);
        Assert.Equal((delivery, DeliveryStatus.PickedUp, DeliveryStatus.InTransit), (change.DeliveryId, change.Event!.From, change.Event.To));
        Assert.Contains(published.Published, c => c.DeliveryId == nearPickup && c.AtPickup && c.Event is null);
        // Events shortly before the loss come again too (repeated events are taken once
        // downstream), in the order they occurred: the missed one last.
        Assert.Equal(DeliveryStatus.InTransit, published.Published.Last(c => c.DeliveryId == delivery).Event!.To);
        await relay.StopAsync(CancellationToken.None);
    }
}
