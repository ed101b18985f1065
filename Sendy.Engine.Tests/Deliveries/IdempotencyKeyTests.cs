using Sendy.Engine.Deliveries;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>Bookings' idempotency keys on PostgreSQL, with fake time: remembered for as long as promised, then deleted.</summary>
public sealed class IdempotencyKeyTests : DeliveryDatabaseTests
{
    private static NewDelivery Booking(string key, string name = "박지우") =>
        new(name, null, null, "ko", new GeoAddress("인천항", 37.45, 126.6), new GeoAddress("부산항", 35.1, 129.04))
        {
            Idempotency = new BookingIdempotency("client:test", key, System.Text.Encoding.UTF8.GetBytes(name)),
        };

    private Task<BookingResult> BookAsync(NewDelivery booking) => H.Get<DeliveryBookingService>().TryBookAsync(booking, StatusActor.Dispatcher("dispatcher"), default);

    [Fact]
    public async Task a_key_answers_the_same_delivery_until_it_is_older_than_kept_for_then_it_books_anew()
    {
        var keptFor = new DeliveryOptions().IdempotencyKeysKeptFor;
        var first = await BookAsync(Booking("key-old"));
        H.Time.Advance(TimeSpan.FromHours(1));
        await BookAsync(Booking("key-young"));

        var replay = await BookAsync(Booking("key-old"));
        var other = await BookAsync(Booking("key-old", "김하늘"));
        Assert.Equal((true, first.Booked!.Id), (replay.Replayed, replay.ExistingId!.Value));
        Assert.Equal((BookingRefusal.IdempotencyKeyReused, first.Booked.Id), (other.Refusal!.Value, other.ExistingId!.Value));

        H.Time.Advance(keptFor - TimeSpan.FromMinutes(30)); // the old key is past its time, the young one not
        Assert.Equal(1, await H.Get<IdempotencyKeyCleanup>().RunOnceAsync(default));
        Assert.Equal(0, await H.Get<IdempotencyKeyCleanup>().RunOnceAsync(default));

        var again = await BookAsync(Booking("key-old"));
        Assert.NotNull(again.Booked);
        Assert.NotEqual(first.Booked.Id, again.Booked.Id);
        Assert.True((await BookAsync(Booking("key-young"))).Replayed);
    }
}
