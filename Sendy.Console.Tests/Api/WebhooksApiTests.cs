using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Integrations;

namespace Sendy.Console.Tests.Api;

/// <summary>
/// The webhook API through the whole app on real PostgreSQL, with the app's own dispatcher running
/// and a real receiver on 127.0.0.1 (an admin-allowed host here) that checks every signature.
/// </summary>
public sealed class WebhooksApiTests(WebhooksApiTests.App app) : IClassFixture<WebhooksApiTests.App>
{
    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Webhooks:AllowedHosts:0", "127.0.0.1");
            builder.UseSetting("Sendy:Webhooks:PollInterval", "00:00:00.200");
        }
    }

    private const string Booking = """{"customerName":"김하늘","customerPhone":"+821012345678","locale":"ko","pickup":{"address":"인천항","lat":37.45,"lon":126.6},"dropoff":{"address":"부산항","lat":35.1,"lon":129.04},"externalReference":"ORD-1"}""";

    private async Task<CreatedApiClient> ClientAsync(params string[] scopes)
    {
        var (created, problems) = await app.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("Booking " + Guid.NewGuid().ToString("N")[..8], scopes, "admin@test.local", default);
        Assert.Empty(problems);
        return created!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        return await app.CreateClient().SendAsync(request);
    }

    private static string EndpointBody(string url, params string[] types) =>
        JsonSerializer.Serialize(new { url, eventTypes = types.Length == 0 ? WebhookEventTypes.All : types, description = "ERP" });

    private async Task<(Guid Id, string Secret)> CreateEndpointAsync(string key, string url, params string[] types)
    {
        var created = await SendAsync(HttpMethod.Post, "/api/v1/webhooks/endpoints", key, EndpointBody(url, types));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var json = await created.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("endpoint").GetProperty("id").GetGuid(), json.GetProperty("secret").GetString()!);
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task a_booking_system_subscribes_books_and_cancels_and_its_receiver_gets_both_events_signed_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync(() => DateTimeOffset.UtcNow);
        var client = await ClientAsync(ApiScopes.DeliveriesWrite, ApiScopes.WebhooksManage);
        var (_, secret) = await CreateEndpointAsync(client.Secret, receiver.Url, WebhookEventTypes.Created, WebhookEventTypes.StatusChanged);
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        receiver.Secrets.Add(secret);

        var booked = await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, Booking.Replace("ORD-1", "ORD-" + Guid.NewGuid().ToString("N")[..6]));
        var id = (await booked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var cancelled = await SendAsync(HttpMethod.Post, $"/api/v1/deliveries/{id}/cancel", client.Secret, """{"reason":"customer asked","idempotencyKey":"cancel-0001"}""");
        Assert.Equal(HttpStatusCode.Created, cancelled.StatusCode);

        await Eventually.ReachesAsync(() => Task.FromResult(receiver.Delivered.Count(r => r.Payload?.Data.DeliveryId == id)), n => n == 2, "both events received");
        var got = receiver.Delivered.Where(r => r.Payload!.Data.DeliveryId == id).ToList();
        Assert.All(got, r => Assert.True(r.Verified, r.Body));
        Assert.Equal([(WebhookEventTypes.Created, 1L), (WebhookEventTypes.StatusChanged, 2L)], got.Select(r => (r.Payload!.Type, r.Payload.Data.Sequence)));
        Assert.Equal("customer asked", got[1].Payload!.Data.Reason);
        Assert.StartsWith("http://sendy.test/t/", got[0].Payload!.Data.TrackingLink!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_messages_and_their_attempts_are_listed_and_a_message_can_be_redelivered_with_its_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync(() => DateTimeOffset.UtcNow);
        var client = await ClientAsync(ApiScopes.DeliveriesWrite, ApiScopes.WebhooksManage);
        var (endpoint, secret) = await CreateEndpointAsync(client.Secret, receiver.Url, WebhookEventTypes.Created);
        receiver.Secrets.Add(secret);
        await SendAsync(HttpMethod.Post, "/api/v1/deliveries", client.Secret, Booking.Replace("ORD-1", "ORD-" + Guid.NewGuid().ToString("N")[..6]));
        await Eventually.ReachesAsync(() => Task.FromResult(receiver.Received.Count), n => n == 1, "the event received");

        var page = await Eventually.ReachesAsync(
            async () => await (await SendAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/messages", client.Secret)).Content.ReadFromJsonAsync<JsonElement>(),
            p => p.GetProperty("items")[0].GetProperty("state").GetString() == "Delivered", "the message settled");
        var message = page.GetProperty("items")[0];
        var messageId = message.GetProperty("id").GetInt64();
        var attempts = await (await SendAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}/messages/{messageId}/attempts", client.Secret))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(200, attempts[0].GetProperty("statusCode").GetInt32());
        Assert.True(attempts[0].GetProperty("latencyMs").GetInt32() >= 0);

        var again = await SendAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/messages/{messageId}/redeliver", client.Secret);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await Eventually.ReachesAsync(() => Task.FromResult(receiver.Received.Count), n => n == 2, "the redelivery received");
        Assert.Equal(receiver.Received.First().Id, receiver.Received.Last().Id); // same webhook-id: the receiver dedupes it
        Assert.Single(receiver.Delivered);

        // Another client sees none of it.
        var other = await ClientAsync(ApiScopes.WebhooksManage);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}", other.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await SendAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/messages/{messageId}/redeliver", other.Secret)).StatusCode);
        Assert.Equal(0, (await (await SendAsync(HttpMethod.Get, "/api/v1/webhooks/endpoints", other.Secret)).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
    }

    [Fact]
    public async Task an_endpoint_is_changed_rotated_and_deleted_by_its_client()
    {
        var client = await ClientAsync(ApiScopes.WebhooksManage);
        var (endpoint, secret) = await CreateEndpointAsync(client.Secret, "https://hooks.example.com/sendy");

        var patched = await SendAsync(HttpMethod.Patch, $"/api/v1/webhooks/endpoints/{endpoint}", client.Secret,
            """{"eventTypes":["delivery.delivered"],"enabled":false}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var view = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("https://hooks.example.com/sendy", false), (view.GetProperty("url").GetString(), view.GetProperty("enabled").GetBoolean()));
        Assert.Equal("delivery.delivered", view.GetProperty("eventTypes")[0].GetString());

        var rotated = await SendAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/rotate-secret", client.Secret, """{"gracePeriodHours":2}""");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var json = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(secret, json.GetProperty("secret").GetString());
        Assert.Equal(JsonValueKind.String, json.GetProperty("endpoint").GetProperty("previousSecretExpiresAt").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{endpoint}/rotate-secret", client.Secret)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/api/v1/webhooks/endpoints/{endpoint}", client.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpoint}", client.Secret)).StatusCode);
    }

    [Fact]
    public async Task bad_endpoints_get_field_errors_and_wrong_callers_401_or_403()
    {
        var client = await ClientAsync(ApiScopes.WebhooksManage);
        var path = "/api/v1/webhooks/endpoints";

        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://10.0.0.5/hooks")))).TryGetProperty("url", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://169.254.169.254/latest")))).TryGetProperty("url", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://localhost/hooks")))).TryGetProperty("url", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("ftp://hooks.example.com/")))).TryGetProperty("url", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://u:p@hooks.example.com/")))).TryGetProperty("url", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://hooks.example.com/", "delivery.exploded"))))
            .TryGetProperty("eventTypes", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, """{"url":"https://hooks.example.com/","eventTypes":[]}""")))
            .TryGetProperty("eventTypes", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, """{"url":"https://hooks.example.com/","eventTypes":["delivery.created"],"description":"a\u0000b"}""")))
            .TryGetProperty("description", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, path, client.Secret, """{"url":42}"""))).TryGetProperty("url", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://hooks.example.com/"), "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await SendAsync(HttpMethod.Post, path, client.Secret, EndpointBody("https://hooks.example.com/" + new string('a', 9000)))).StatusCode);
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Post, $"{path}/{Guid.NewGuid()}/rotate-secret", client.Secret, """{"gracePeriodHours":-1}""")))
            .TryGetProperty("gracePeriodHours", out _));
        Assert.True((await ErrorsAsync(await SendAsync(HttpMethod.Get, $"{path}/{Guid.NewGuid()}/messages?limit=0", client.Secret))).TryGetProperty("limit", out _));

        var reader = await ClientAsync(ApiScopes.DeliveriesRead);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, path, reader.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, path, "sendy_sk_" + new string('x', 43))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, path, null)).StatusCode);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM webhook_endpoints WHERE api_client_id = $1", client.Client.Id));
    }
}
