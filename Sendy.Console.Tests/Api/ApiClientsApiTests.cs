using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Tests.Api;

/// <summary>A booking system's API key against the delivery API, through the whole app on real PostgreSQL.</summary>
public sealed class ApiClientsApiTests(ApiClientsApiTests.App app) : IClassFixture<ApiClientsApiTests.App>
{
    public const int PerClientPermits = 30;

    /// <summary>An hour-long rate-limit window, so a burst never straddles two windows and the limit is exact.</summary>
    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:RateLimits:Window", "01:00:00");
            builder.UseSetting("Sendy:RateLimits:PerApiClientPermits", PerClientPermits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private const string Booking = """{"customerName":"김하늘","customerPhone":"+821012345678","locale":"ko","pickup":{"address":"인천항","lat":37.45,"lon":126.6},"dropoff":{"address":"부산항","lat":35.1,"lon":129.04}}""";

    private ApiClientRegistry Clients => app.Services.GetRequiredService<ApiClientRegistry>();

    private async Task<CreatedApiClient> ClientAsync(params string[] scopes)
    {
        var (created, problems) = await Clients.CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..8], scopes, "admin@test.local", default);
        Assert.Empty(problems);
        return created!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await app.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task a_key_with_the_write_scope_books_and_the_status_log_names_its_client()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);

        var booked = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, Booking);

        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var id = (await booked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal("ApiClient|" + client.Client.Name, await app.Database.ScalarAsync<string>(
            "SELECT actor_kind || '|' || actor_id FROM delivery_status_events WHERE delivery_id = $1", id));
        var read = await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}", client.Secret);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("Booked", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task a_read_only_key_reads_deliveries_and_gets_403_problem_for_a_booking()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesRead);
        var before = await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries");

        var list = await SendAsync(HttpMethod.Get, "/api/v1/deliveries", client.Secret);
        var refused = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, Booking);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("deliveries:read", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task missing_unknown_and_revoked_keys_get_401_problems()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesRead);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/v1/deliveries", client.Secret)).StatusCode);
        Assert.True(await Clients.RevokeAsync(client.Client.Id, "admin@test.local", default));

        foreach (var (key, title) in new[]
        {
            ((string?)null, "Authentication required"),
            (ApiClientSecrets.Create(), "Unknown or revoked API key"),
            (client.Secret, "Unknown or revoked API key"),
            ("sendy_sk_short", "Unknown or revoked API key"),
        })
        {
            var response = await SendAsync(HttpMethod.Get, "/api/v1/deliveries", key);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task a_driver_token_is_no_api_key()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.InTransit);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/v1/deliveries", d.DriverToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/api/v1/deliveries", d.DriverToken, Booking)).StatusCode);
    }

    [Fact]
    public async Task each_client_has_its_own_rate_limit()
    {
        var busy = await ClientAsync(ApiScopes.DeliveriesRead);
        var calm = await ClientAsync(ApiScopes.DeliveriesRead);

        for (var i = 0; i < PerClientPermits; i++)
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/v1/deliveries?limit=1", busy.Secret)).StatusCode);
        var refused = await SendAsync(HttpMethod.Get, "/api/v1/deliveries?limit=1", busy.Secret);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/v1/deliveries?limit=1", calm.Secret)).StatusCode);
    }

    [Fact]
    public async Task a_booking_carries_its_shipper_window_fare_reference_and_channels()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite, ApiScopes.DeliveriesRead);
        var shipper = await SendAsync(HttpMethod.Post, "/api/v1/shippers", client.Secret,
            $$$"""{"name":"한빛물산 {{{Guid.NewGuid():N}}}","contactEmail":"ops@hanbit.test","locale":"en","notifyBy":["email"]}""");
        Assert.Equal(HttpStatusCode.Created, shipper.StatusCode);
        var shipperId = (await shipper.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var reference = "PO-" + Guid.NewGuid().ToString("N")[..8];

        var booked = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, $$$"""
            {"shipperId":"{{{shipperId}}}","externalReference":"{{{reference}}}","customerName":"Lee","customerPhone":"+821012345678",
             "pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04},
             "promisedFrom":"2026-12-07T09:00:00+09:00","promisedTo":"2026-12-07T11:00:00+09:00","fare":{"amount":125000,"currency":"KRW"}}
            """);

        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var id = (await booked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var view = await (await SendAsync(HttpMethod.Get, $"/api/v1/deliveries/{id}", client.Secret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(shipperId, view.GetProperty("shipperId").GetGuid());
        Assert.Equal(reference, view.GetProperty("externalReference").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-12-07T00:00:00Z"), view.GetProperty("promisedFrom").GetDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2026-12-07T02:00:00Z"), view.GetProperty("promisedTo").GetDateTimeOffset());
        Assert.Equal((125000m, "KRW"), (view.GetProperty("fare").GetProperty("amount").GetDecimal(), view.GetProperty("fare").GetProperty("currency").GetString()));
        Assert.Equal("en", view.GetProperty("locale").GetString()); // the shipper's default
        Assert.Equal(["email"], view.GetProperty("notifyBy").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task bad_booking_fields_are_400_with_each_field_named()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite);
        var before = await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries");

        var refused = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, $$$"""
            {"customerName":"Lee","pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04},
             "promisedFrom":"2026-12-07T12:00:00Z","promisedTo":"2026-12-07T11:00:00Z","fare":{"amount":100.5,"currency":"KRW"},
             "externalReference":"{{{new string('x', 101)}}}","notifyBy":["fax"]}
            """);
        var badCurrency = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, """
            {"customerName":"Lee","pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04},
             "fare":{"amount":1,"currency":"krw"}}
            """);
        var unknownShipper = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, $$$"""
            {"shipperId":"{{{Guid.NewGuid()}}}","customerName":"Lee","pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04}}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["externalReference", "fare.amount", "notifyBy", "promisedFrom"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["fare.currency"], (await badCurrency.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["shipperId"], (await unknownShipper.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(before, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task the_same_external_reference_from_the_same_client_is_409_naming_the_delivery()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite);
        var body = $$$"""
            {"externalReference":"ORDER-{{{Guid.NewGuid():N}}}","customerName":"Lee","pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04}}
            """;

        var first = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, body);
        var second = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(),
            (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetGuid());
    }

    private async Task<HttpResponseMessage> BookWithKeyAsync(string secret, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deliveries")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await app.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task the_same_idempotency_key_and_booking_is_the_same_delivery_and_another_booking_is_422()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite);
        var key = "book-" + Guid.NewGuid().ToString("N");
        var spaced = Booking.Replace(",", ", ", StringComparison.Ordinal); // the same booking, written differently

        var first = await BookWithKeyAsync(client.Secret, key, Booking);
        var again = await BookWithKeyAsync(client.Secret, key, spaced);
        var other = await BookWithKeyAsync(client.Secret, key, Booking.Replace("김하늘", "박지우", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("id").GetGuid(), b.GetProperty("id").GetGuid());
        Assert.Equal(a.GetProperty("trackingLink").GetString(), b.GetProperty("trackingLink").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(a.GetProperty("id").GetGuid(), (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetGuid());
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE key = $1", key));
    }

    [Fact]
    public async Task concurrent_bookings_with_one_idempotency_key_make_one_delivery()
    {
        var client = await ClientAsync(ApiScopes.DeliveriesWrite);
        var key = "burst-" + Guid.NewGuid().ToString("N");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => BookWithKeyAsync(client.Secret, key, Booking)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task keys_belong_to_their_caller_and_bad_keys_are_400()
    {
        var one = await ClientAsync(ApiScopes.DeliveriesWrite);
        var two = await ClientAsync(ApiScopes.DeliveriesWrite);
        var key = "shared-" + Guid.NewGuid().ToString("N");

        var a = await BookWithKeyAsync(one.Secret, key, Booking);
        var b = await BookWithKeyAsync(two.Secret, key, Booking);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (a.StatusCode, b.StatusCode));
        foreach (var bad in new[] { new string('k', 256), "키", "key\twith-a-tab" }) // (an empty header never leaves the client)
            Assert.Equal(HttpStatusCode.BadRequest, (await BookWithKeyAsync(one.Secret, bad, Booking)).StatusCode);
    }
}
