using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Nodes;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

/// <summary>
/// PostgreSQL keeps no notifications for a listener that is away: a position a peer stored while
/// this node's listening connection was down reaches its views only through the resync that
/// follows the reconnect.
/// </summary>
public sealed class LiveRelayResyncTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private sealed class RecordingPublisher : ILivePositionPublisher
    {
        public ConcurrentQueue<TruckPosition> Published { get; } = new();

        public void Publish(IReadOnlyList<TruckPosition> positions)
        {
            foreach (var p in positions) Published.Enqueue(p);
        }
    }

    private Task<long> ListenerPidAsync() => _db.ScalarAsync<long>(
        "SELECT coalesce(max(pid), 0)::bigint FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN sendy_live'");

    [Fact]
    public async Task after_a_reconnect_the_relay_republishes_what_it_missed_during_the_gap()
    {
        var truck = "resync-" + Guid.NewGuid().ToString("N")[..8];
        await _db.AddTruckAsync(truck);
        var published = new RecordingPublisher();
        using var relay = new LiveRelay(_db.DataSource, published, new NodeId("node-a"), TimeProvider.System, NullLogger<LiveRelay>.Instance);
        await relay.StartAsync(CancellationToken.None);
        var pid = await Eventually.ReachesAsync(ListenerPidAsync, p => p != 0, "relay listening");

        // A peer stores a position and its notification is lost: written here without NOTIFY, as
        // PostgreSQL would drop it for a listener that is away; then the connection breaks.
        var recordedAt = new DateTimeOffset(2026, 12, 5, 10, 0, 0, 123, TimeSpan.Zero);
        await _db.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number)
            VALUES ($1, $2, $2, ST_SetSRID(ST_MakePoint(127.5, 37.25), 4326), 12.5, NULL, 4, 'shardId-000000000000', '1')
            """, truck, recordedAt);
        Assert.Empty(published.Published);
        await _db.ExecuteAsync("SELECT pg_terminate_backend($1::int)", (int)pid);

        await Eventually.ReachesAsync(() => Task.FromResult(published.Published.Count(p => p.TruckId == truck)), n => n > 0, "the missed position republished");
        var position = published.Published.First(p => p.TruckId == truck);
        Assert.Equal((37.25, 127.5, recordedAt, 12.5, (double?)null, 4.0), (position.Latitude, position.Longitude, position.RecordedAt,
            position.SpeedMps!.Value, position.HeadingDegrees, position.AccuracyMeters!.Value));
        var newPid = await Eventually.ReachesAsync(ListenerPidAsync, p => p != 0 && p != pid, "relay listening again");
        Assert.NotEqual(pid, newPid);
        await relay.StopAsync(CancellationToken.None);
    }
}
