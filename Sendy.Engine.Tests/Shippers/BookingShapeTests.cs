using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;
using Sendy.Engine.Shippers;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Shippers;

/// <summary>
/// The booking's shape on real PostgreSQL: shippers and their defaults, the promised window, the
/// fare, external references unique per API client, and the channels the customer is told on.
/// </summary>
public sealed class BookingShapeTests(TestDatabase db) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private DeliveryHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new DeliveryHarness(db);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private ShipperRegistry Shippers => _h.Get<ShipperRegistry>();

    private DeliveryBookingService Bookings => _h.Get<DeliveryBookingService>();

    private static NewDelivery Booking(string? locale = null, string? email = "jiwoo@example.com", string? phone = "+821012345678") =>
        new("박지우", email, phone, locale, new GeoAddress("인천항", 37.45, 126.6), new GeoAddress("부산항", 35.1, 129.04));

    private static string NewName() => "Shipper " + Guid.NewGuid().ToString("N")[..8];

    private async Task<ShipperView> ShipperAsync(string locale, params string[] notifyBy)
    {
        var (shipper, problems) = await Shippers.CreateAsync(new ShipperInput(NewName(), "Kim", "ops@shipper.test", "+82212345678", locale, notifyBy), default);
        Assert.Empty(problems);
        return shipper!;
    }

    private Task<Delivery> RowAsync(Guid id)
    {
        using var context = db.CreateContext();
        return Task.FromResult(context.Deliveries.Single(d => d.Id == id));
    }

    [Fact]
    public async Task a_booking_without_a_shipper_belongs_to_direct_with_its_defaults()
    {
        var booked = await Bookings.TryBookAsync(Booking(), StatusActor.Dispatcher("kim"), default);

        var row = await RowAsync(booked.Booked!.Id);
        Assert.Equal(Shipper.DirectId, row.ShipperId);
        Assert.Equal("ko", row.Locale);
        Assert.Equal([RecipientChannel.Email, RecipientChannel.Sms], row.NotifyBy);
        Assert.Equal("Direct", (await Shippers.GetAsync(Shipper.DirectId, default))!.Name);
    }

    [Fact]
    public async Task the_shippers_defaults_fill_what_the_booking_leaves_out_and_yield_to_what_it_says()
    {
        var shipper = await ShipperAsync("en", RecipientChannel.Email);

        var defaulted = await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default);
        var explicitOnes = await Bookings.TryBookAsync(Booking(locale: "ko") with { ShipperId = shipper.Id, NotifyBy = [RecipientChannel.Sms] },
            StatusActor.Dispatcher("kim"), default);

        var a = await RowAsync(defaulted.Booked!.Id);
        Assert.Equal((shipper.Id, "en"), (a.ShipperId, a.Locale));
        Assert.Equal([RecipientChannel.Email], a.NotifyBy);
        var b = await RowAsync(explicitOnes.Booked!.Id);
        Assert.Equal("ko", b.Locale);
        Assert.Equal([RecipientChannel.Sms], b.NotifyBy);
    }

    [Fact]
    public async Task an_edit_reaches_the_next_booking_on_this_node_at_once_and_one_made_elsewhere_within_the_defaults_lifetime()
    {
        var shipper = await ShipperAsync("en", RecipientChannel.Email);
        Assert.Equal("en", (await RowAsync((await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default)).Booked!.Id)).Locale);

        await Shippers.UpdateAsync(shipper.Id, new ShipperInput(shipper.Name, null, null, null, "ko", [RecipientChannel.Sms]), default);
        var afterEdit = await RowAsync((await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default)).Booked!.Id);
        Assert.Equal("ko", afterEdit.Locale);
        Assert.Equal([RecipientChannel.Sms], afterEdit.NotifyBy);

        // Another node's edit: straight into the table, as this node's registry never hears of it.
        await using (var other = db.CreateContext())
            await other.Shippers.Where(s => s.Id == shipper.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Locale, "en"));
        var kept = await RowAsync((await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default)).Booked!.Id);
        Assert.Equal("ko", kept.Locale);
        _h.Time.Advance(ShipperRegistry.DefaultsLifetime);
        var reread = await RowAsync((await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default)).Booked!.Id);
        Assert.Equal("en", reread.Locale);
    }

    [Fact]
    public async Task the_customer_is_told_only_on_the_deliverys_channels()
    {
        var shipper = await ShipperAsync("ko", RecipientChannel.Email);
        var booked = await Bookings.TryBookAsync(Booking() with { ShipperId = shipper.Id }, StatusActor.Dispatcher("kim"), default);

        var channels = await db.ScalarAsync<string>(
            "SELECT string_agg(channel, ',' ORDER BY channel) FROM notification_outbox WHERE delivery_id = $1", booked.Booked!.Id);

        // The booking's status event: SNS topic, e-mail (the shipper's default), no SMS though a phone number is known.
        Assert.Equal("email,sns-topic", channels);
    }

    [Fact]
    public async Task window_fare_and_reference_are_stored_as_booked()
    {
        var from = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.FromHours(9));
        var booking = Booking() with { PromisedFrom = from, PromisedTo = from.AddHours(2), Fare = new Money(125_000m, "KRW"), ExternalReference = "PO-2026-0001" };

        var booked = await Bookings.TryBookAsync(booking, StatusActor.Dispatcher("kim"), default);

        var view = (await _h.Get<DeliveryQueries>().GetAsync(booked.Booked!.Id, default))!;
        Assert.Equal((from, from.AddHours(2), from.AddHours(2)), (view.PromisedFrom, view.PromisedTo, view.EstimatedArrivalAt));
        Assert.Equal(new Money(125_000m, "KRW"), view.Fare);
        Assert.Equal("PO-2026-0001", view.ExternalReference);
    }

    [Fact]
    public async Task an_external_reference_is_unique_per_api_client_only()
    {
        var clients = new ApiClientRegistry(_h.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<SendyDbContext>>(),
            Microsoft.Extensions.Options.Options.Create(new ApiClientOptions()), TimeProvider.System);
        var (one, _) = await clients.CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..8], ApiScopes.All, null, default);
        var (two, _) = await clients.CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..8], ApiScopes.All, null, default);
        var reference = "ORDER-" + Guid.NewGuid().ToString("N")[..6];

        var first = await Bookings.TryBookAsync(Booking() with { ExternalReference = reference, ApiClientId = one!.Client.Id }, StatusActor.ApiClient("one"), default);
        var again = await Bookings.TryBookAsync(Booking() with { ExternalReference = reference, ApiClientId = one.Client.Id }, StatusActor.ApiClient("one"), default);
        var otherClient = await Bookings.TryBookAsync(Booking() with { ExternalReference = reference, ApiClientId = two!.Client.Id }, StatusActor.ApiClient("two"), default);
        var staffA = await Bookings.TryBookAsync(Booking() with { ExternalReference = reference }, StatusActor.Dispatcher("kim"), default);
        var staffB = await Bookings.TryBookAsync(Booking() with { ExternalReference = reference }, StatusActor.Dispatcher("kim"), default);

        Assert.NotNull(first.Booked);
        Assert.Equal((null, BookingRefusal.ExternalReferenceTaken, first.Booked!.Id), (again.Booked, again.Refusal, again.ExistingId));
        Assert.NotNull(otherClient.Booked);
        Assert.NotNull(staffA.Booked);
        Assert.NotNull(staffB.Booked);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM delivery_status_events e JOIN deliveries d ON d.id = e.delivery_id " +
            "WHERE d.api_client_id = $1 AND d.external_reference = $2 AND d.id <> $3", one.Client.Id, reference, first.Booked.Id));
    }

    [Fact]
    public async Task an_unknown_shipper_is_refused_and_nothing_is_stored()
    {
        var before = await db.ScalarAsync<long>("SELECT count(*) FROM deliveries");

        var result = await Bookings.TryBookAsync(Booking() with { ShipperId = Guid.NewGuid() }, StatusActor.Dispatcher("kim"), default);

        Assert.Equal(BookingRefusal.UnknownShipper, result.Refusal);
        Assert.Equal(before, await db.ScalarAsync<long>("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task shippers_are_validated_unique_by_name_and_editable()
    {
        var (_, bad) = await Shippers.CreateAsync(new ShipperInput(" ", null, "not-an-email", "010-1234", "fr", ["fax"]), default);
        Assert.Equal(["name:NameRequired", "contactEmail:EmailInvalid", "contactPhone:PhoneInvalid", "locale:LocaleInvalid", "notifyBy:ChannelUnknown"],
            bad.Select(p => $"{p.Field}:{p.Error}"));

        var shipper = await ShipperAsync("ko", RecipientChannel.Email, RecipientChannel.Sms);
        var (_, taken) = await Shippers.CreateAsync(new ShipperInput(shipper.Name, null, null, null, null, null), default);
        Assert.Equal(ShipperError.NameTaken, Assert.Single(taken).Error);

        var (updated, problems) = await Shippers.UpdateAsync(shipper.Id, new ShipperInput(shipper.Name + " Ltd", " ", null, null, "en", []), default);
        Assert.Empty(problems);
        Assert.Equal((shipper.Name + " Ltd", (string?)null, "en"), (updated!.Name, updated.ContactName, updated.Locale));
        Assert.Empty(updated.NotifyBy);
        Assert.Equal(ShipperError.UnknownShipper, Assert.Single((await Shippers.UpdateAsync(Guid.NewGuid(), new ShipperInput("x", null, null, null, null, null), default)).Problems).Error);
    }
}
