using System.Net;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Security;

/// <summary>Customer links on the real database: an expired link shows no location, a link shows only its own delivery.</summary>
public sealed class TrackingLinkTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    [Fact]
    public async Task an_expired_link_shows_the_friendly_page_and_no_location()
    {
        var (truck, _, token) = await app.CreateTruckWithDeliveryAsync();
        await app.Database.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, shard_id, sequence_number)
            VALUES ($1, now(), now(), ST_SetSRID(ST_MakePoint(129.0421, 35.1151), 4326), 's', '1')
            """, truck);
        var client = app.CreateClient();
        var live = await client.GetStringAsync($"/t/{token}");
        Assert.Contains(truck, live);

        await app.Database.ExecuteAsync("UPDATE deliveries SET tracking_expires_at = now() - interval '1 minute' WHERE truck_id = $1", truck);
        var expired = await client.GetAsync($"/t/{token}");
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        var html = await expired.Content.ReadAsStringAsync();
        Assert.Contains("만료된 링크입니다", WebUtility.HtmlDecode(html)); // "This link has expired", in the delivery's language
        Assert.DoesNotContain(truck, html);
        Assert.DoesNotContain("35.1151", html);
        Assert.DoesNotContain("129.0421", html);
    }

    [Fact]
    public async Task a_link_never_shows_another_delivery()
    {
        var (truckA, _, tokenA) = await app.CreateTruckWithDeliveryAsync();
        var (truckB, _, _) = await app.CreateTruckWithDeliveryAsync();
        var html = await app.CreateClient().GetStringAsync($"/t/{tokenA}");
        Assert.Contains(truckA, html);
        Assert.DoesNotContain(truckB, html);
    }
}
