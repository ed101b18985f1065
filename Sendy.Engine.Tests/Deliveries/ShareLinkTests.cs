using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Deliveries.ShareLinks;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>A delivery's tracking links on PostgreSQL with fake time: list, reissue, revoke, extend, and what the customer's link then does.</summary>
public sealed class ShareLinkTests : DeliveryDatabaseTests
{
    protected override DeliveryHarness CreateHarness(TestDatabase db) => new(db, configure: s => s.AddSingleton<ITrackingQueries, EfTrackingQueries>());

    private ShareLinkService Links => H.Get<ShareLinkService>();

    private async Task<TrackingLinkState> StateAsync(string token) => (await H.Get<ITrackingQueries>().FindByTrackingTokenAsync(token, default)).State;

    private static string TokenOf(ShareLinkView link) => new Uri(link.Url!).Segments[^1];

    private async Task<(Guid Id, string Token)> BookAsync()
    {
        var booked = await H.Get<DeliveryBookingService>().BookAsync(new NewDelivery("박지우", null, null, "ko",
            new GeoAddress("인천항", 37.45, 126.6), new GeoAddress("부산항", 35.1, 129.04)), StatusActor.Dispatcher("dispatcher"), default);
        return (booked.Id, booked.TrackingToken);
    }

    [Fact]
    public async Task a_booking_has_one_current_link_and_reissuing_revokes_it_and_records_the_new_one()
    {
        var (id, token) = await BookAsync();

        var first = Assert.Single((await Links.ListAsync(id, default))!);
        Assert.Equal((ShareLinkState.Active, true, token), (first.State, first.Current, TokenOf(first)));

        var reissued = (await Links.ReissueAsync(id, "Dispatcher:kim", default))!;

        var all = (await Links.ListAsync(id, default))!;
        Assert.Equal([reissued.Id, first.Id], all.Select(l => l.Id));
        Assert.Equal((ShareLinkState.Active, true, "Dispatcher:kim"), (all[0].State, all[0].Current, all[0].CreatedBy));
        Assert.Equal((ShareLinkState.Revoked, false, "Dispatcher:kim"), (all[1].State, all[1].Current, all[1].RevokedBy));
        Assert.Equal(TrackingLinkState.Revoked, await StateAsync(token));
        Assert.Equal(TrackingLinkState.Active, await StateAsync(TokenOf(reissued)));
        Assert.Null(await Links.ReissueAsync(Guid.NewGuid(), "Dispatcher:kim", default));
    }

    [Fact]
    public async Task an_extended_link_outlives_the_default_after_close_and_revoking_always_wins()
    {
        var (truck, driver, id) = await H.DeliveryAsync(DeliveryStatus.Delivered);
        var link = Assert.Single((await Links.ListAsync(id, default))!);
        var token = TokenOf(link);
        H.Time.Advance(new DeliveryOptions().TrackingLinkLifetimeAfterClose + TimeSpan.FromMinutes(1));
        Assert.Equal(TrackingLinkState.Expired, await StateAsync(token));
        Assert.Equal(ShareLinkState.Expired, (await Links.ListAsync(id, default))![0].State);

        var extended = await Links.ExtendAsync(id, link.Id, H.Time.GetUtcNow().AddDays(10), "ApiClient:Booking", default);

        Assert.Equal(ShareLinkOutcome.Done, extended.Outcome);
        Assert.Equal((ShareLinkState.Active, true), (extended.Link!.State, extended.Link.OwnExpiry));
        Assert.Equal(TrackingLinkState.Active, await StateAsync(token));
        H.Time.Advance(TimeSpan.FromDays(10));
        Assert.Equal(TrackingLinkState.Expired, await StateAsync(token)); // its own expiry, kept too

        Assert.Equal(ShareLinkOutcome.Done, (await Links.ExtendAsync(id, link.Id, H.Time.GetUtcNow().AddDays(1), "x", default)).Outcome);
        var revoked = await Links.RevokeAsync(id, link.Id, "Dispatcher:lee", default);
        Assert.Equal((ShareLinkState.Revoked, "Dispatcher:lee"), (revoked.Link!.State, revoked.Link.RevokedBy));
        Assert.Equal(TrackingLinkState.Revoked, await StateAsync(token));
        Assert.Equal(ShareLinkOutcome.Revoked, (await Links.ExtendAsync(id, link.Id, H.Time.GetUtcNow().AddDays(1), "x", default)).Outcome);
        Assert.Equal(ShareLinkOutcome.Done, (await Links.RevokeAsync(id, link.Id, "again", default)).Outcome); // revoking twice is harmless
        Assert.Equal("Dispatcher:lee", (await Links.ListAsync(id, default))![0].RevokedBy);
    }

    [Fact]
    public async Task extensions_end_in_the_future_within_a_year_and_unknown_links_are_not_found()
    {
        var (id, _) = await BookAsync();
        var link = Assert.Single((await Links.ListAsync(id, default))!);
        var now = H.Time.GetUtcNow();

        Assert.Equal(ShareLinkOutcome.ExpiryInvalid, (await Links.ExtendAsync(id, link.Id, now, "x", default)).Outcome);
        Assert.Equal(ShareLinkOutcome.ExpiryInvalid, (await Links.ExtendAsync(id, link.Id, now + ShareLinkService.MaxLifetime + TimeSpan.FromSeconds(1), "x", default)).Outcome);
        Assert.Equal(ShareLinkOutcome.NotFound, (await Links.ExtendAsync(id, Guid.NewGuid(), now.AddDays(1), "x", default)).Outcome);
        Assert.Equal(ShareLinkOutcome.NotFound, (await Links.RevokeAsync(Guid.NewGuid(), link.Id, "x", default)).Outcome);
        Assert.Null(await Links.ListAsync(Guid.NewGuid(), default));
    }

    [Fact]
    public async Task a_revoke_tells_the_pages_showing_the_delivery()
    {
        var (id, _) = await BookAsync();
        var link = Assert.Single((await Links.ListAsync(id, default))!);
        var told = new TaskCompletionSource<DeliveryStatusChanged>();
        using var _ = H.Get<IDeliveryStatusFeed>().Subscribe(id, c => { told.TrySetResult(c); return Task.CompletedTask; });

        await Links.RevokeAsync(id, link.Id, "x", default);

        var change = await told.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((id, true, (StatusEventView?)null), (change.DeliveryId, change.LinkChanged, change.Event));
    }
}
