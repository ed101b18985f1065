using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;
using Sendy.Engine.Shippers;

namespace Sendy.Console.Tests.Api;

/// <summary>
/// The one delivery API a booking system uses (issue 17, item 3): what a booking answers, the
/// cursor-paged list and its filters, reading by external reference, positions. Whole app, real PostgreSQL.
/// </summary>
public sealed class DeliveryApiTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private async Task<string> KeyAsync(params string[] scopes)
    {
        var (created, problems) = await app.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..8], scopes, "admin@test.local", default);
        Assert.Empty(problems);
        return created!.Secret;
    }

    private async Task<Guid> ShipperAsync()
    {
        var (shipper, problems) = await app.Services.GetRequiredService<ShipperRegistry>()
            .CreateAsync(new ShipperInput("Shipper " + Guid.NewGuid().ToString("N")[..8], null, null, null, "en", null), default);
        Assert.Empty(problems);
        return shipper!.Id;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await app.CreateClient().SendAsync(request);
    }

    private static string Booking(Guid? shipper = null, string? reference = null) => $$$"""
        {"customerName":"김하늘","customerPhone":"+821012345678","locale":"ko",
         "pickup":{"address":"인천항","lat":37.45,"lon":126.6},"dropoff":{"address":"부산항","lat":35.1,"lon":129.04},
         "promisedFrom":"2026-12-24T09:00:00+09:00","promisedTo":"2026-12-24T12:00:00+09:00"
         {{{(shipper is { } s ? $",\"shipperId\":\"{s}\"" : "")}}}{{{(reference is { } r ? $",\"externalReference\":\"{r}\"" : "")}}}}
        """;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static Guid[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    [Fact]
    public async Task a_booking_answers_with_its_location_tracking_link_status_window_and_eta()
    {
        var key = await KeyAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);

        var booked = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", key, Booking());

        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var body = await JsonAsync(booked);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/deliveries/{id}", booked.Headers.Location?.ToString());
        Assert.Equal("Booked", body.GetProperty("status").GetString());
        Assert.StartsWith("http://sendy.test/t/", body.GetProperty("trackingLink").GetString(), StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse("2026-12-24T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("promisedFrom").GetDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2026-12-24T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("promisedTo").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("eta").ValueKind); // no estimate before pickup
        var read = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}", key));
        Assert.Equal(body.GetProperty("trackingLink").GetString(), read.GetProperty("trackingLink").GetString());
        Assert.Equal(body.GetProperty("updatedAt").GetDateTimeOffset(), read.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task the_list_pages_by_cursor_in_the_order_deliveries_changed_with_filters()
    {
        var key = await KeyAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);
        var shipper = await ShipperAsync();
        var booked = new List<Guid>();
        for (var i = 0; i < 5; i++)
            booked.Add((await JsonAsync(await SendAsync(HttpMethod.Post, "/api/v1/deliveries", key, Booking(shipper)))).GetProperty("id").GetGuid());

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await JsonAsync(await SendAsync(HttpMethod.Get,
                $"/api/v1/deliveries?shipperId={shipper}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor), key));
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(booked, seen);
        Assert.Equal(3, pages);

        // A change moves a delivery to the end: a client polling "updated since" sees it.
        var last = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{booked[^1]}", key));
        var since = last.GetProperty("updatedAt").GetDateTimeOffset();
        var cancelled = await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{booked[0]}/cancel", key, """{"reason":"customer called","idempotencyKey":"cancel-list-test"}""");
        Assert.Equal(HttpStatusCode.Created, cancelled.StatusCode);
        var changed = await JsonAsync(await SendAsync(HttpMethod.Get,
            $"/api/v1/deliveries?shipperId={shipper}&updatedSince={Uri.EscapeDataString(since.AddTicks(10).ToString("O"))}", key));
        Assert.Equal([booked[0]], Ids(changed));
        var byStatus = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries?shipperId={shipper}&status=Cancelled", key));
        Assert.Equal([booked[0]], Ids(byStatus));
        Assert.Equal(booked[1..].Append(booked[0]), Ids(await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries?shipperId={shipper}", key))));
    }

    [Theory]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    [InlineData("cursor=%%%", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("status=Lost", "status")]
    [InlineData("status=1", "status")]
    public async Task bad_list_parameters_are_400_with_the_field_named(string query, string field)
    {
        var key = await KeyAsync(ApiScopes.DeliveriesRead);

        var response = await SendAsync(HttpMethod.Get, "/api/v1/deliveries?" + query, key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task a_client_reads_its_own_delivery_by_external_reference_and_not_another_clients()
    {
        var mine = await KeyAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);
        var theirs = await KeyAsync(ApiScopes.DeliveriesRead);
        var reference = "PO-" + Guid.NewGuid().ToString("N")[..10];
        var id = (await JsonAsync(await SendAsync(HttpMethod.Post, "/api/v1/deliveries", mine, Booking(reference: reference)))).GetProperty("id").GetGuid();

        var found = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/by-reference/{reference}", mine);
        var other = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/by-reference/{reference}", theirs);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var delivery = await JsonAsync(found);
        Assert.Equal((id, reference), (delivery.GetProperty("id").GetGuid(), delivery.GetProperty("externalReference").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal([id], Ids(await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries?externalReference={reference}", mine))));
        Assert.Empty(Ids(await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries?externalReference={reference}", theirs))));
    }

    [Fact]
    public async Task positions_read_gives_the_trucks_latest_fix_and_the_trail_since_pickup_and_other_keys_get_403()
    {
        var key = await KeyAsync(ApiScopes.PositionsRead);
        var readOnly = await KeyAsync(ApiScopes.DeliveriesRead);
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.InTransit);
        var pickedUp = DateTimeOffset.UtcNow.AddMinutes(-30);
        await app.Database.ExecuteAsync("UPDATE deliveries SET picked_up_at = $2, truck_assigned_at = $2 WHERE id = $1", d.DeliveryId, pickedUp);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/position", key)).StatusCode);

        for (var i = 0; i < 4; i++)
            await app.Database.ExecuteAsync("""
                INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, quality_flag)
                VALUES ('s', 'shardId-0', $1, $2, $3, $3, $3, ST_SetSRID(ST_MakePoint(127.0 + $4 * 0.001, 37.5), 4326), $5)
                """, d.TruckId + i, d.TruckId, pickedUp.AddMinutes(1 + i), (double)i, i == 2 ? "impossible-jump: 900 km/h" : (object)DBNull.Value);
        await app.Database.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, shard_id, sequence_number)
            VALUES ($1, $2, $2, ST_SetSRID(ST_MakePoint(127.003, 37.5), 4326), 'shardId-0', '3')
            """, d.TruckId, pickedUp.AddMinutes(4));

        var position = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/position", key);
        var trail = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/trail", key);

        Assert.Equal(HttpStatusCode.OK, position.StatusCode);
        var fix = await JsonAsync(position);
        Assert.Equal((37.5, 127.003), (fix.GetProperty("latitude").GetDouble(), fix.GetProperty("longitude").GetDouble()));
        Assert.Equal(HttpStatusCode.OK, trail.StatusCode);
        var points = (await JsonAsync(trail)).GetProperty("points").EnumerateArray().Select(p => p.GetProperty("longitude").GetDouble()).ToList();
        Assert.Equal([127.0, 127.001, 127.003], points.Select(x => Math.Round(x, 3))); // the flagged fix left out
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/position", readOnly)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/trail", readOnly)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{Guid.NewGuid()}/position", key)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/trail?maxPoints=1", key)).StatusCode);
        // The smallest trail the API allows is the first and the newest fix (it was a 500 once).
        var two = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{d.DeliveryId}/trail?maxPoints=2", key);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal([127.0, 127.003],
            (await JsonAsync(two)).GetProperty("points").EnumerateArray().Select(p => Math.Round(p.GetProperty("longitude").GetDouble(), 3)));
    }

    [Fact]
    public async Task share_links_are_listed_reissued_revoked_and_extended_and_a_revoked_link_is_a_friendly_410()
    {
        var key = await KeyAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);
        var readOnly = await KeyAsync(ApiScopes.DeliveriesRead);
        var booked = await JsonAsync(await SendAsync(HttpMethod.Post, "/api/v1/deliveries", key, Booking()));
        var id = booked.GetProperty("id").GetGuid();
        var firstLink = booked.GetProperty("trackingLink").GetString()!;
        var web = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync(new Uri(firstLink).PathAndQuery)).StatusCode);

        var listed = await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}/links", readOnly));
        var first = Assert.Single(listed.EnumerateArray());
        Assert.Equal((firstLink, "Active", true), (first.GetProperty("url").GetString(), first.GetProperty("state").GetString(), first.GetProperty("current").GetBoolean()));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links", readOnly)).StatusCode);

        var reissued = await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links", key);
        Assert.Equal(HttpStatusCode.Created, reissued.StatusCode);
        var newLink = (await JsonAsync(reissued)).GetProperty("url").GetString()!;
        Assert.NotEqual(firstLink, newLink);
        Assert.Equal(newLink, (await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}", key))).GetProperty("trackingLink").GetString());

        var gone = await web.GetAsync(new Uri(firstLink).PathAndQuery);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("더 이상 유효하지 않은 링크입니다", WebUtility.HtmlDecode(await gone.Content.ReadAsStringAsync())); // in the delivery's language (ko)

        var newId = (await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}/links", key))).EnumerateArray().First().GetProperty("id").GetGuid();
        var until = DateTimeOffset.UtcNow.AddDays(30).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var extended = await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{newId}/extend", key, $$"""{"expiresAt":"{{until}}"}""");
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        Assert.True((await JsonAsync(extended)).GetProperty("ownExpiry").GetBoolean());
        // The delivery, read or listed, says when its link now stops working: the link's own expiry.
        var readBack = (await JsonAsync(await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}", key))).GetProperty("trackingLinkExpiresAt").GetDateTimeOffset();
        Assert.Equal(DateTimeOffset.Parse(until, System.Globalization.CultureInfo.InvariantCulture), readBack, TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{newId}/extend", key, """{"expiresAt":"2001-01-01T00:00:00Z"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{newId}/extend", key, "{}")).StatusCode);

        var revoked = await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{newId}/revoke", key);
        Assert.Equal("Revoked", (await JsonAsync(revoked)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Gone, (await web.GetAsync(new Uri(newLink).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{newId}/extend", key, $$"""{"expiresAt":"{{until}}"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/links/{Guid.NewGuid()}/revoke", key)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{Guid.NewGuid()}/links", key)).StatusCode);
    }
}
