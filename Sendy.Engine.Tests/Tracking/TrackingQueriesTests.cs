using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

/// <summary>The customer's read side against real PostGIS: link states and expiry, trail since pickup, recent fixes.</summary>
public sealed class TrackingQueriesTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly TestDatabase _db = new();
    private DeliveryHarness _h = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        // The link lifetime comes from configuration (Sendy:Deliveries), not the 3-day default.
        _h = new DeliveryHarness(_db, new() { ["Sendy:Deliveries:TrackingLinkLifetimeAfterClose"] = "02:00:00" });
        // Whole seconds: PostgreSQL keeps microseconds, the fake clock ticks.
        _h.Time.SetUtcNow(new DateTimeOffset(_h.Time.GetUtcNow().Year + 1, 3, 14, 9, 0, 0, TimeSpan.Zero));
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _db.DisposeAsync();
    }

    private EfTrackingQueries Queries => new(_h.Get<IDbContextFactory<SendyDbContext>>(), _db.DataSource, _h.Time);

    private sealed record Booked(string TruckId, Guid DriverId, Guid DeliveryId, string Token);

    private async Task<Booked> BookAsync()
    {
        var truckId = "TQ-" + Guid.NewGuid().ToString("N")[..8];
        var fleet = _h.Get<FleetRegistry>();
        await fleet.EnsureTruckAsync(truckId, "Hyundai Xcient", "경기 81바 1234", default);
        var driver = await fleet.CreateDriverAsync("Minsu Kim", truckId, default);
        var booking = _h.Get<DeliveryBookingService>();
        var booked = await booking.BookAsync(new NewDelivery("박지우", null, null, "ko",
            new GeoAddress("인천광역시 중구 서해대로 366", 37.4563, 126.6052), new GeoAddress("부산광역시 강서구 신항로 295", 35.0790, 128.8200)),
            "dispatcher", default);
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await booking.AssignAsync(booked.Id, driver.Entity.Id, "dispatcher", default);
        return new Booked(truckId, driver.Entity.Id, booked.Id, booked.TrackingToken);
    }

    private async Task MoveAsync(Booked b, DeliveryStatus to, string? reason = null)
    {
        _h.Time.Advance(TimeSpan.FromSeconds(1)); // events at one instant have no order
        var r = await _h.Statuses.ChangeAsync(new StatusChangeRequest(b.DeliveryId, to, StatusActor.Driver(b.DriverId), "t-" + to, Reason: reason), default);
        Assert.Equal(StatusChangeOutcome.Changed, r.Outcome);
    }

    /// <summary>One fix a minute for <paramref name="count"/> minutes from the clock's now, heading north-east.</summary>
    private async Task DriveAsync(Booked b, int count, double fromLat, TimeSpan? every = null)
    {
        var step = every ?? TimeSpan.FromMinutes(1);
        await _db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, accuracy_meters)
            SELECT 's', 'shard-' || $1, $2 || '-' || g, $1, $3 + g * $5, $3 + g * $5, now(),
                   ST_SetSRID(ST_MakePoint(127 + g * 0.001, $6 + g * 0.001), 4326), 5
            FROM generate_series(0, $4 - 1) g
            """, b.TruckId, Guid.NewGuid().ToString("N"), _h.Time.GetUtcNow(), count, step, fromLat);
        _h.Time.Advance(step * count);
    }

    [Fact]
    public async Task the_trail_runs_from_pickup_to_delivery_and_nothing_before_or_after()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.EnRouteToPickup);
        await DriveAsync(b, 10, fromLat: 36.0);                 // to the pickup: not the customer's business
        Assert.Empty(await Queries.GetTrailSincePickupAsync(b.DeliveryId, 100, default));

        await MoveAsync(b, DeliveryStatus.PickedUp);
        await DriveAsync(b, 20, fromLat: 37.0);
        await MoveAsync(b, DeliveryStatus.InTransit);
        var underWay = await Queries.GetTrailSincePickupAsync(b.DeliveryId, 100, default);
        Assert.Equal(20, underWay.Count);

        await MoveAsync(b, DeliveryStatus.Arrived);
        await MoveAsync(b, DeliveryStatus.Delivered);
        await DriveAsync(b, 10, fromLat: 38.0);                 // the driver's next job
        var trail = await Queries.GetTrailSincePickupAsync(b.DeliveryId, 100, default);

        Assert.Equal(20, trail.Count);
        Assert.All(trail, p => Assert.InRange(p.Latitude, 37.0, 37.0195));
        Assert.Equal(37.0, trail[0].Latitude, 9);
        Assert.True(trail.Zip(trail.Skip(1)).All(p => p.First.RecordedAt < p.Second.RecordedAt));
    }

    [Fact]
    public async Task a_reassignment_is_logged_and_the_link_follows_the_new_truck_with_trail_and_speed_from_then_on()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.EnRouteToPickup);
        await MoveAsync(b, DeliveryStatus.PickedUp);
        await DriveAsync(b, 10, fromLat: 37.0);                 // the first truck, with the goods

        var fleet = _h.Get<FleetRegistry>();
        var newTruck = "TQ-" + Guid.NewGuid().ToString("N")[..8];
        await fleet.EnsureTruckAsync(newTruck, "Volvo FH", "경기 34나 5678", default);
        var newDriver = await fleet.CreateDriverAsync("Jiho Park", newTruck, default);
        var other = b with { TruckId = newTruck, DriverId = newDriver.Entity.Id };
        await DriveAsync(other, 5, fromLat: 35.0);              // the new truck on another job: not this customer's business
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var reassignedAt = _h.Time.GetUtcNow();
        var booking = _h.Get<DeliveryBookingService>();
        Assert.Equal(AssignOutcome.Assigned, await booking.AssignAsync(b.DeliveryId, newDriver.Entity.Id, "dispatcher-2", default));
        await DriveAsync(other, 8, fromLat: 36.0);

        var view = (await Queries.FindByTrackingTokenAsync(b.Token, default)).View!;
        Assert.Equal(newTruck, view.TruckId);
        Assert.Equal("경기 34나 5678", view.Plate);
        Assert.Equal(DeliveryStatus.PickedUp, view.Status);
        var reassigned = view.Timeline![^1];
        Assert.True(reassigned.IsReassignment);
        Assert.Equal((DeliveryStatus.PickedUp, DeliveryStatus.PickedUp, StatusActorKind.Dispatcher, "dispatcher-2", reassignedAt),
            (reassigned.From!.Value, reassigned.To, reassigned.ActorKind, reassigned.ActorId!, reassigned.OccurredAt));
        Assert.Contains(b.TruckId, reassigned.Note);
        Assert.Contains(newTruck, reassigned.Note);
        // A status event for the log and the live pages, not a status message for the customer.
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE status_event_id = $1", reassigned.Id));

        var trail = await Queries.GetTrailSincePickupAsync(b.DeliveryId, 100, default);
        Assert.Equal(8, trail.Count);
        Assert.All(trail, p => Assert.InRange(p.Latitude, 36.0, 36.0075));
        Assert.Equal(reassignedAt, trail[0].RecordedAt);
        var recent = await Queries.GetRecentFixesAsync(b.DeliveryId, TimeSpan.FromHours(1), default);
        Assert.Equal(8, recent.Count);
        Assert.All(recent, p => Assert.Equal(newTruck, p.TruckId));

        // The same driver again changes nothing and logs nothing.
        Assert.Equal(AssignOutcome.Assigned, await booking.AssignAsync(b.DeliveryId, newDriver.Entity.Id, "dispatcher-2", default));
        Assert.Equal(view.Timeline.Count, (await Queries.FindByTrackingTokenAsync(b.Token, default)).View!.Timeline!.Count);
    }

    [Fact]
    public async Task a_long_trail_is_simplified_in_the_database_keeping_first_and_newest()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.EnRouteToPickup);
        await MoveAsync(b, DeliveryStatus.PickedUp);
        var pickedUp = _h.Time.GetUtcNow();
        await DriveAsync(b, 6_000, fromLat: 37.0, every: TimeSpan.FromSeconds(1));

        var trail = await Queries.GetTrailSincePickupAsync(b.DeliveryId, 2_000, default);

        Assert.InRange(trail.Count, 1_500, 2_000);
        Assert.Equal(pickedUp, trail[0].RecordedAt);
        Assert.Equal(pickedUp.AddSeconds(5_999), trail[^1].RecordedAt);
    }

    [Fact]
    public async Task an_open_link_shows_places_truck_and_timeline_and_expires_the_configured_time_after_delivery()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.EnRouteToPickup);
        await _db.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, shard_id, sequence_number)
            VALUES ($1, $2, $2, ST_SetSRID(ST_MakePoint(126.7, 37.4), 4326), 's', '1')
            """, b.TruckId, _h.Time.GetUtcNow());

        var open = await Queries.FindByTrackingTokenAsync(b.Token, default);

        Assert.Equal(TrackingLinkState.Active, open.State);
        var view = open.View!;
        Assert.Equal((DeliveryStatus.EnRouteToPickup, "Hyundai Xcient", "Minsu", b.TruckId), (view.Status, view.TruckName, view.DriverFirstName, view.TruckId));
        Assert.Equal(new TrackingPlace("인천광역시 중구 서해대로 366", 37.4563, 126.6052), view.Pickup);
        Assert.Equal(new TrackingPlace("부산광역시 강서구 신항로 295", 35.0790, 128.8200), view.Dropoff);
        Assert.Equal((37.4, 126.7), (view.LatestPosition!.Latitude, view.LatestPosition.Longitude));
        Assert.Equal([DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup], view.Timeline!.Select(e => e.To));

        foreach (var s in new[] { DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived, DeliveryStatus.Delivered })
            await MoveAsync(b, s);
        var deliveredAt = _h.Time.GetUtcNow();
        var expiresAt = await _db.ScalarAsync<DateTime>("SELECT tracking_expires_at FROM deliveries WHERE id = $1", b.DeliveryId);
        Assert.Equal(deliveredAt + Lifetime, new DateTimeOffset(expiresAt, TimeSpan.Zero));

        var delivered = await Queries.FindByTrackingTokenAsync(b.Token, default);
        Assert.Equal(TrackingLinkState.Active, delivered.State);
        Assert.Null(delivered.View!.LatestPosition); // closed: the truck is hidden
        Assert.Equal(DeliveryStatus.Delivered, delivered.View.Status);

        _h.Time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(TrackingLinkState.Active, (await Queries.FindByTrackingTokenAsync(b.Token, default)).State);

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var expired = await Queries.FindByTrackingTokenAsync(b.Token, default);
        Assert.Equal(TrackingLinkState.Expired, expired.State);
        Assert.Null(expired.View);
    }

    [Fact]
    public async Task a_failed_delivery_expires_too_and_unknown_tokens_are_unknown()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.Failed, reason: "Nobody at the address");
        var failed = await Queries.FindByTrackingTokenAsync(b.Token, default);
        Assert.Equal("Nobody at the address", failed.View!.Timeline![^1].Reason);

        _h.Time.Advance(Lifetime);

        Assert.Equal(TrackingLinkState.Expired, (await Queries.FindByTrackingTokenAsync(b.Token, default)).State);
        Assert.Equal(TrackingLinkState.Unknown, (await Queries.FindByTrackingTokenAsync(Security.AccessTokens.Create(), default)).State);
        Assert.Equal(TrackingLinkState.Unknown, (await Queries.FindByTrackingTokenAsync("not a token", default)).State);
    }

    [Fact]
    public async Task recent_fixes_cover_the_window_oldest_first_and_stop_when_the_delivery_closes()
    {
        var b = await BookAsync();
        await MoveAsync(b, DeliveryStatus.EnRouteToPickup);
        await DriveAsync(b, 30, fromLat: 37.0);

        var recent = await Queries.GetRecentFixesAsync(b.DeliveryId, TimeSpan.FromMinutes(10), default);

        Assert.Equal(10, recent.Count);
        Assert.Equal(_h.Time.GetUtcNow().AddMinutes(-10), recent[0].RecordedAt);
        Assert.True(recent.Zip(recent.Skip(1)).All(p => p.First.RecordedAt < p.Second.RecordedAt));
        Assert.Equal(5, recent[0].AccuracyMeters);

        await MoveAsync(b, DeliveryStatus.Cancelled);
        Assert.Empty(await Queries.GetRecentFixesAsync(b.DeliveryId, TimeSpan.FromMinutes(10), default));
    }
}
