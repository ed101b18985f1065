using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Tests.Deliveries;

public sealed class DeliveryStateMachineTests
{
    private static readonly (DeliveryStatus From, DeliveryStatus To)[] Allowed =
    [
        (DeliveryStatus.Booked, DeliveryStatus.DriverAssigned),
        (DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup),
        (DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp),
        (DeliveryStatus.PickedUp, DeliveryStatus.InTransit),
        (DeliveryStatus.InTransit, DeliveryStatus.Arrived),
        (DeliveryStatus.Arrived, DeliveryStatus.Delivered),
        .. new[] { DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived }
            .SelectMany(s => new[] { (s, DeliveryStatus.Cancelled), (s, DeliveryStatus.Failed) }),
    ];

    public static TheoryData<DeliveryStatus, DeliveryStatus> EveryPair()
    {
        var data = new TheoryData<DeliveryStatus, DeliveryStatus>();
        foreach (var from in Enum.GetValues<DeliveryStatus>())
            foreach (var to in Enum.GetValues<DeliveryStatus>())
                data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void every_transition_is_allowed_only_when_the_table_says_so(DeliveryStatus from, DeliveryStatus to)
    {
        Assert.Equal(Allowed.Contains((from, to)), DeliveryStateMachine.CanMove(from, to));
    }

    [Theory]
    [InlineData(DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.Cancelled)]
    [InlineData(DeliveryStatus.Failed)]
    public void final_statuses_go_nowhere(DeliveryStatus final)
    {
        Assert.True(DeliveryStateMachine.IsFinal(final));
        Assert.Empty(DeliveryStateMachine.NextStatuses(final));
    }

    [Fact]
    public void next_statuses_list_the_happy_path_step_first()
    {
        Assert.Equal([DeliveryStatus.PickedUp, DeliveryStatus.Cancelled, DeliveryStatus.Failed],
            DeliveryStateMachine.NextStatuses(DeliveryStatus.EnRouteToPickup));
    }

    [Fact]
    public void no_status_moves_to_itself_or_backwards()
    {
        foreach (var from in Enum.GetValues<DeliveryStatus>())
            foreach (var to in DeliveryStateMachine.NextStatuses(from))
                Assert.True(to > from, $"{from} -> {to}");
    }

    [Fact]
    public void only_failed_requires_a_reason()
    {
        Assert.Equal([DeliveryStatus.Failed], Enum.GetValues<DeliveryStatus>().Where(DeliveryStateMachine.RequiresReason));
    }
}
