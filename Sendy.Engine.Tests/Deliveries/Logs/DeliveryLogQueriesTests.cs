using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;
using static Sendy.Engine.Tests.Deliveries.Logs.DeliveryLogData;

namespace Sendy.Engine.Tests.Deliveries.Logs;

/// <summary>The admin logs' filters, order and paging, run by PostgreSQL.</summary>
public sealed class DeliveryLogQueriesTests(DeliveryLogData data) : IClassFixture<DeliveryLogData>
{
    private static LogPageRequest<DeliveryLogSort> Page(DeliveryLogSort sort = DeliveryLogSort.CreatedAt, bool descending = false, int page = 0,
        int size = 50) => new(sort, descending, page, size);

    private async Task<List<Guid>> DeliveriesAsync(DeliveryLogFilter filter, LogPageRequest<DeliveryLogSort>? page = null) =>
        (await data.LogQueries.DeliveriesAsync(filter, page ?? Page(), default)).Rows.Select(r => r.Id).ToList();

    [Fact]
    public async Task without_filters_every_delivery_is_listed_with_truck_and_driver_names()
    {
        var page = await data.LogQueries.DeliveriesAsync(new DeliveryLogFilter(), Page(), default);

        Assert.Equal(4, page.Total);
        Assert.Equal([data.Formula, data.Acme, data.Hanbit, data.Booked], page.Rows.Select(r => r.Id));
        var acme = page.Rows[1];
        Assert.Equal(("ACME Logistics", "lg-1", "Truck One", "Kim Minsu", DeliveryStatus.Delivered), (acme.CustomerName, acme.TruckId, acme.TruckName, acme.DriverName, acme.Status));
        Assert.Equal((Day.AddHours(2), Day.AddHours(5)), (acme.PickedUpAt!.Value, acme.DeliveredAt!.Value));
        var booked = page.Rows[3];
        Assert.Equal((null, null, null), (booked.TruckId, booked.TruckName, booked.DriverName));
    }

    [Theory]
    [InlineData("acme", "A")]
    [InlineData("한빛", "H")]
    [InlineData("bbbb2222", "H")] // the short id the pages show
    [InlineData("BBBB2222", "H")]
    [InlineData("bbbb2222-0000-0000-0000-000000000002", "H")]
    [InlineData("50%_", "B")] // LIKE wildcards match literally
    [InlineData("%", "B")]
    [InlineData("_", "B")]
    [InlineData("nobody", "")]
    public async Task delivery_filter_matches_part_of_the_customer_name_or_the_start_of_the_id(string text, string expected)
    {
        Assert.Equal(Ids(expected), await DeliveriesAsync(new DeliveryLogFilter(Delivery: text)));
    }

    [Theory]
    [InlineData("lg-1", null, "FA")]
    [InlineData("truck two", null, "H")]
    [InlineData("부산", null, "H")] // plate
    [InlineData(null, "minsu", "FA")]
    [InlineData(null, "LEE", "H")]
    [InlineData("lg-2", "minsu", "")]
    public async Task truck_and_driver_filters_match_id_name_or_plate(string? truck, string? driver, string expected)
    {
        Assert.Equal(Ids(expected), await DeliveriesAsync(new DeliveryLogFilter(Truck: truck, Driver: driver)));
    }

    [Fact]
    public async Task status_filter_is_the_current_status()
    {
        Assert.Equal([data.Acme], await DeliveriesAsync(new DeliveryLogFilter(Status: DeliveryStatus.Delivered)));
        Assert.Empty(await DeliveriesAsync(new DeliveryLogFilter(Status: DeliveryStatus.PickedUp)));
    }

    [Fact]
    public async Task date_range_includes_its_start_and_excludes_its_end()
    {
        Assert.Equal(Ids("AH"), await DeliveriesAsync(new DeliveryLogFilter(From: Day, To: Day.AddDays(1))));
        Assert.Equal(Ids("B"), await DeliveriesAsync(new DeliveryLogFilter(From: Day.AddDays(1))));
        Assert.Equal(Ids("F"), await DeliveriesAsync(new DeliveryLogFilter(To: Day)));
        // The same instants in another offset select the same rows.
        var seoul = TimeSpan.FromHours(9);
        Assert.Equal(Ids("AH"), await DeliveriesAsync(new DeliveryLogFilter(From: Day.ToOffset(seoul), To: Day.AddDays(1).ToOffset(seoul))));
    }

    [Theory]
    [InlineData(DeliveryLogSort.CreatedAt, false, "FAHB")]
    [InlineData(DeliveryLogSort.CreatedAt, true, "BHAF")]
    [InlineData(DeliveryLogSort.Customer, false, "FABH")] // '=' < 'A' < 'B' < Hangul
    [InlineData(DeliveryLogSort.Status, false, "BHAF")] // the flow's order: Booked, InTransit, Delivered, Cancelled
    [InlineData(DeliveryLogSort.Status, true, "FAHB")]
    [InlineData(DeliveryLogSort.PickedUpAt, false, "AHBF")] // never picked up: last (nulls last; ties newest first)
    [InlineData(DeliveryLogSort.Truck, false, "AFHB")] // Truck One (newest first on ties), Truck Two, none
    [InlineData(DeliveryLogSort.Driver, false, "AFHB")]
    [InlineData(DeliveryLogSort.DeliveredAt, true, "BHFA")] // descending: nulls first
    public async Task every_whitelisted_column_sorts_in_the_database(DeliveryLogSort sort, bool descending, string expected)
    {
        Assert.Equal(Ids(expected), await DeliveriesAsync(new DeliveryLogFilter(), Page(sort, descending)));
    }

    [Fact]
    public async Task pages_are_disjoint_and_carry_the_total()
    {
        var first = await data.LogQueries.DeliveriesAsync(new DeliveryLogFilter(), Page(size: 3), default);
        var second = await data.LogQueries.DeliveriesAsync(new DeliveryLogFilter(), Page(page: 1, size: 3), default);
        var beyond = await data.LogQueries.DeliveriesAsync(new DeliveryLogFilter(), Page(page: 9, size: 3), default);

        Assert.Equal((3, 4), (first.Rows.Count, first.Total));
        Assert.Equal(Ids("B"), second.Rows.Select(r => r.Id));
        Assert.Equal((0, 4), (beyond.Rows.Count, beyond.Total));
        Assert.Equal(4, (await data.LogQueries.DeliveriesAsync(new DeliveryLogFilter(), Page(page: -1, size: 100_000), default)).Rows.Count);
    }

    [Fact]
    public async Task status_events_show_from_to_actor_and_note_newest_first()
    {
        var page = await data.LogQueries.StatusEventsAsync(new DeliveryLogFilter(),
            new LogPageRequest<StatusEventLogSort>(StatusEventLogSort.OccurredAt, true, 0, 50), default);

        Assert.Equal(6, page.Total);
        Assert.Equal([Day.AddHours(5), Day.AddHours(4), Day.AddMinutes(185), Day.AddHours(2), Day.AddMinutes(65), Day.AddSeconds(-1)],
            page.Rows.Select(r => r.OccurredAt));
        var picked = page.Rows[1];
        Assert.Equal((data.Hanbit, "한빛 물류", DeliveryStatus.DriverAssigned, DeliveryStatus.PickedUp, StatusActorKind.Driver, "Lee Jiwoo", HanbitNote),
            (picked.DeliveryId, picked.CustomerName, picked.From, picked.To, picked.ActorKind, picked.ActorName, picked.Note));
        var dispatcher = page.Rows[2];
        Assert.Equal((StatusActorKind.Dispatcher, "disp@sendy.test", null), (dispatcher.ActorKind, dispatcher.ActorId, dispatcher.ActorName));
    }

    [Fact]
    public async Task status_events_filter_by_new_status_time_truck_and_driver()
    {
        async Task<List<DateTimeOffset>> Events(DeliveryLogFilter f, StatusEventLogSort sort = StatusEventLogSort.OccurredAt) =>
            (await data.LogQueries.StatusEventsAsync(f, new LogPageRequest<StatusEventLogSort>(sort, false, 0, 50), default)).Rows.Select(r => r.OccurredAt).ToList();

        Assert.Equal([Day.AddHours(2), Day.AddHours(4)], await Events(new DeliveryLogFilter(Status: DeliveryStatus.PickedUp)));
        Assert.Equal([Day.AddHours(2), Day.AddMinutes(185)], await Events(new DeliveryLogFilter(From: Day.AddHours(2), To: Day.AddHours(4))));
        Assert.Equal([Day.AddMinutes(185), Day.AddHours(4)], await Events(new DeliveryLogFilter(Truck: "부산")));
        Assert.Equal([Day.AddSeconds(-1), Day.AddMinutes(65), Day.AddHours(2), Day.AddHours(5)], await Events(new DeliveryLogFilter(Driver: "kim")));
        Assert.Equal([Day.AddMinutes(65), Day.AddHours(2), Day.AddHours(5)], await Events(new DeliveryLogFilter(Delivery: "aaaa"), StatusEventLogSort.ToStatus));
    }

    [Fact]
    public async Task export_streams_every_matching_row_not_just_a_page()
    {
        var all = new List<Guid>();
        await foreach (var row in data.LogQueries.AllDeliveriesAsync(new DeliveryLogFilter(Truck: "lg"), DeliveryLogSort.Customer, false, default))
            all.Add(row.Id);
        Assert.Equal(Ids("FAH"), all);

        var events = 0;
        await foreach (var _ in data.LogQueries.AllStatusEventsAsync(new DeliveryLogFilter(), StatusEventLogSort.Actor, false, default))
            events++;
        Assert.Equal(6, events);
    }

    /// <summary>A: ACME, H: 한빛, B: Booked, F: Formula, in the given order.</summary>
    private List<Guid> Ids(string letters) => letters.Select(c => c switch
    {
        'A' => data.Acme,
        'H' => data.Hanbit,
        'B' => data.Booked,
        'F' => data.Formula,
        _ => throw new ArgumentOutOfRangeException(nameof(letters)),
    }).ToList();
}
