using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using static Sendy.Engine.Tests.Deliveries.Logs.DeliveryLogData;

namespace Sendy.Engine.Tests.Deliveries.Logs;

public sealed class DeliveryHistoryQueriesTests(DeliveryLogData data) : IClassFixture<DeliveryLogData>
{
    [Fact]
    public async Task history_has_header_timeline_and_notifications_sent_or_pending()
    {
        var history = await data.HistoryQueries.GetAsync(data.Acme, default);

        Assert.NotNull(history);
        Assert.Equal(("ACME Logistics", "Truck One", "서울 12가 3456", "Kim Minsu"),
            (history.Summary.CustomerName, history.Summary.TruckName, history.TruckPlate, history.Summary.DriverName));
        Assert.Equal(("인천 중구 공항로 272", 37.46, 126.45), (history.Pickup.Address, history.Pickup.Latitude, history.Pickup.Longitude));
        Assert.Equal([DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, DeliveryStatus.Delivered], history.Events.Select(e => e.To));
        Assert.Equal("Kim Minsu", history.Events[1].ActorName);
        Assert.Equal(2, history.Notifications.Count);
        var email = history.Notifications[0];
        Assert.Equal(("email", DeliveryStatus.PickedUp, "<abc@sendy.test>"), (email.Channel, email.ForStatus, email.Result));
        Assert.Equal(Day.AddHours(2).AddSeconds(3), email.SentAt);
        var sms = history.Notifications[1];
        Assert.Equal(("sms", DeliveryStatus.Delivered, null, null), (sms.Channel, sms.ForStatus, sms.SentAt, sms.EnqueuedAt));
    }

    [Fact]
    public async Task unknown_delivery_has_no_history_and_no_route()
    {
        Assert.Null(await data.HistoryQueries.GetAsync(Guid.NewGuid(), default));
        Assert.Null(await data.HistoryQueries.RouteAsync(Guid.NewGuid(), 100, default));
    }

    [Fact]
    public async Task route_runs_from_assignment_to_delivery_over_the_trucks_stored_positions()
    {
        var route = await data.HistoryQueries.RouteAsync(data.Acme, 5000, default);

        Assert.NotNull(route);
        Assert.True(route.FromAssignment);
        Assert.Equal((Day.AddMinutes(65), Day.AddHours(5)), (route.From, route.To));
        Assert.Equal(236, route.Points.Count); // one a minute, 01:05..05:00 inclusive
        Assert.False(route.Downsampled);
        Assert.Equal(Day.AddMinutes(65), route.Points[0].RecordedAt);
        Assert.Equal(Day.AddHours(5), route.Points[^1].RecordedAt);
        Assert.Equal((37.065, 127.065, 12.0, 45.0), (route.Points[0].Latitude, route.Points[0].Longitude, route.Points[0].SpeedMps!.Value, route.Points[0].HeadingDegrees!.Value));
    }

    [Fact]
    public async Task open_delivery_runs_until_now_and_long_routes_are_thinned_keeping_both_ends()
    {
        var route = await data.HistoryQueries.RouteAsync(data.Hanbit, 50, default);

        Assert.NotNull(route);
        Assert.Equal((Day.AddMinutes(185), data.Time.GetUtcNow()), (route.From, route.To));
        Assert.Equal(176, route.StoredCount); // 03:05..06:00
        Assert.True(route.Downsampled);
        Assert.InRange(route.Points.Count, 40, 50);
        Assert.Equal(Day.AddMinutes(185), route.Points[0].RecordedAt);
        Assert.Equal(Day.AddHours(6), route.Points[^1].RecordedAt);
        Assert.True(route.Points.Zip(route.Points.Skip(1)).All(p => p.First.RecordedAt < p.Second.RecordedAt));
    }

    [Fact]
    public async Task delivery_without_a_truck_has_no_route()
    {
        Assert.Null(await data.HistoryQueries.RouteAsync(data.Booked, 100, default));
    }
}
