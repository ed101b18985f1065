using Bunit;
using Sendy.Console.Components.Pages.Track;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Track;

public sealed class TrackPageTimelineTests : TrackPageContext
{
    private static StatusEventView Event(DeliveryStatus from, DeliveryStatus to, DateTimeOffset at) =>
        new(Guid.NewGuid(), TestData.Delivery().DeliveryId, from, to, StatusActorKind.Driver, "d", at, null, null, null, null);

    [Fact]
    public void the_timeline_lists_status_events_and_a_live_change_is_appended_without_reload()
    {
        var view = TestData.Delivery(status: DeliveryStatus.EnRouteToPickup) with
        {
            Timeline = [Event(DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, Start.AddMinutes(-30))],
        };
        Queries.Deliveries[TestData.TrackingToken] = view;
        var page = Render<TrackPage>(p => p.Add(x => x.Token, TestData.TrackingToken));
        Assert.Single(page.FindAll("[data-testid=timeline] [data-status]"));

        var picked = Event(DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, Start);
        StatusFeed.Publish(new DeliveryStatusChanged(view.DeliveryId, picked));
        StatusFeed.Publish(new DeliveryStatusChanged(view.DeliveryId, picked)); // the relay may repeat: shown once

        page.WaitForAssertion(() => Assert.Contains("Picked up", page.Find("[data-testid=status-chip]").TextContent));
        Assert.Equal(["EnRouteToPickup", "PickedUp"], page.FindAll("[data-testid=timeline] [data-status]").Select(e => e.GetAttribute("data-status")));
    }
}
