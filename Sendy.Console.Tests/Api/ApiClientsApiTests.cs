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
}
