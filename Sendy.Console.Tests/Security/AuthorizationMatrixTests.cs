using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Storage;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Security;

/// <summary>The kinds of caller. API clients call with their key as bearer token: one with every scope, one that may only read deliveries.</summary>
public enum Who { Anonymous, Customer, DriverOwnTruck, DriverOtherTruck, Dispatcher, Admin, ApiClient, ApiClientReadOnly }

/// <summary>
/// Every endpoint of the app (from its endpoint data source) against every kind of caller. A new
/// endpoint without an entry fails the test, so access is decided on purpose, not by accident.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.MatrixApp app, ITestOutputHelper output)
    : IClassFixture<AuthorizationMatrixTests.MatrixApp>
{
    public sealed class MatrixApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", "matrix-admin@test.local");
            builder.UseSetting("Sendy:Admin:Password", "matrix-admin-password");
            builder.UseSetting("Sendy:RateLimits:PerTokenPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerDevicePermits", "100000");
            builder.UseSetting("Sendy:RateLimits:CircuitPerIpPermits", "100000");
            builder.UseSetting("Sendy:Telemetry:PrometheusScrapeToken", ScrapeToken);
        }
    }

    public const string ScrapeToken = "matrix-scrape-token-0123456789";

    private static readonly Who[] Everyone = Enum.GetValues<Who>();
    private static readonly Who[] Staff = [Who.Dispatcher, Who.Admin];
    private static readonly Who[] DeliveryWriters = [Who.Dispatcher, Who.Admin, Who.ApiClient];
    private static readonly Who[] DeliveryReaders = [Who.Dispatcher, Who.Admin, Who.ApiClient, Who.ApiClientReadOnly];
    private static readonly Who[] PositionReaders = [Who.Dispatcher, Who.Admin, Who.ApiClient];
    private static readonly Who[] WebhookManagers = [Who.Dispatcher, Who.Admin, Who.ApiClient];

    /// <summary>Who may use each endpoint. Component pages also accept POST (form handling): without the form's antiforgery token nobody gets through.</summary>
    private static readonly Dictionary<string, Who[]> Expected = new()
    {
        ["GET /"] = Everyone,
        ["GET /account/login"] = Everyone,
        ["GET /account/denied"] = Everyone,
        ["GET /error"] = Everyone,
        ["GET /not-found"] = Everyone,
        ["GET /health/live"] = Everyone,
        ["GET /health/ready"] = Everyone,
        ["GET /culture/{culture}"] = Everyone, // the language switch: sets a cookie, goes back to a local page
        ["GET /theme/{mode}"] = Everyone, // the theme switch, likewise
        ["GET /t/{Token}"] = [Who.Customer],
        ["GET /d/{Token}"] = [Who.DriverOwnTruck, Who.DriverOtherTruck], // each with their own link
        ["GET /dispatch"] = Staff,
        ["GET /admin/consumers"] = [Who.Admin],
        ["POST /api/v1/positions"] = [Who.DriverOwnTruck], // the other truck's driver cannot post for this truck
        ["POST /api/v1/deliveries/{id:guid}/status"] = [Who.DriverOwnTruck], // only the assigned driver
        ["GET /api/v1/driver/deliveries/current"] = [Who.DriverOwnTruck, Who.DriverOtherTruck], // each their own
        ["GET /api/v1/deliveries/"] = DeliveryReaders,
        ["GET /api/v1/deliveries/{id:guid}"] = DeliveryReaders,
        ["GET /api/v1/deliveries/by-reference/{externalReference}"] = DeliveryReaders,
        ["GET /api/v1/deliveries/{id:guid}/position"] = PositionReaders,
        ["GET /api/v1/deliveries/{id:guid}/trail"] = PositionReaders,
        ["GET /api/v1/deliveries/{id:guid}/links/"] = DeliveryReaders,
        ["POST /api/v1/deliveries/{id:guid}/links/"] = DeliveryWriters,
        ["POST /api/v1/deliveries/{id:guid}/links/{linkId:guid}/revoke"] = DeliveryWriters,
        ["POST /api/v1/deliveries/{id:guid}/links/{linkId:guid}/extend"] = DeliveryWriters,
        ["POST /api/v1/deliveries/"] = DeliveryWriters,
        ["GET /api/v1/webhooks/event-types"] = WebhookManagers,
        ["GET /api/v1/webhooks/endpoints"] = WebhookManagers,
        ["POST /api/v1/webhooks/endpoints"] = WebhookManagers,
        ["GET /api/v1/webhooks/endpoints/{id:guid}"] = WebhookManagers,
        ["PATCH /api/v1/webhooks/endpoints/{id:guid}"] = WebhookManagers,
        ["DELETE /api/v1/webhooks/endpoints/{id:guid}"] = WebhookManagers,
        ["POST /api/v1/webhooks/endpoints/{id:guid}/rotate-secret"] = WebhookManagers,
        ["GET /api/v1/webhooks/endpoints/{id:guid}/messages"] = WebhookManagers,
        ["GET /api/v1/webhooks/endpoints/{id:guid}/messages/{messageId:long}/attempts"] = WebhookManagers,
        ["POST /api/v1/webhooks/endpoints/{id:guid}/messages/{messageId:long}/redeliver"] = WebhookManagers,
        ["POST /api/v1/deliveries/{id:guid}/assignment"] = DeliveryWriters,
        ["POST /api/v1/deliveries/{id:guid}/cancel"] = DeliveryWriters,
        ["GET /api/v1/shippers/"] = DeliveryReaders,
        ["GET /api/v1/shippers/{id:guid}"] = DeliveryReaders,
        ["POST /api/v1/shippers/"] = DeliveryWriters,
        ["PUT /api/v1/shippers/{id:guid}"] = DeliveryWriters,
        ["POST /api/v1/trucks/{truckId}/device/"] = [Who.Admin],
        ["PUT /api/v1/trucks/{truckId}/device/"] = [Who.Admin],
        ["DELETE /api/v1/trucks/{truckId}/device/"] = [Who.Admin],
        // A tracker's issued device id is its credential; none of these callers has one. Everyone gets
        // 200 (an unknown id is answered like a known one), so "allowed" here means not counted as unknown.
        ["GET /osmand"] = [],
        ["POST /osmand"] = [],
        ["POST /"] = [],
        ["POST /account/login"] = [],
        ["POST /account/denied"] = [],
        ["POST /account/logout"] = [],
        ["POST /error"] = [],
        ["POST /not-found"] = [],
        ["POST /t/{Token}"] = [],
        ["POST /d/{Token}"] = [],
        ["POST /dispatch"] = [],
        ["POST /admin/consumers"] = [],
        ["GET /dispatch/deliveries"] = Staff,
        ["POST /dispatch/deliveries"] = [],
        ["GET /admin/logs"] = [Who.Admin],
        ["POST /admin/logs"] = [],
        ["GET /admin/deliveries/{Id}"] = [Who.Admin],
        ["POST /admin/deliveries/{Id}"] = [],
        ["GET /api/v1/admin/logs/deliveries/export"] = [Who.Admin],
        ["GET /api/v1/admin/logs/status-events/export"] = [Who.Admin],
        ["GET /api/v1/admin/deliveries/{id:guid}/track"] = [Who.Admin],
        ["GET /api/v1/admin/trucks/{truckId}/track"] = [Who.Admin],
        ["GET /admin/staff"] = [Who.Admin],
        ["POST /admin/staff"] = [],
        ["GET /admin/fleet"] = [Who.Admin],
        ["GET /admin/integrations"] = [Who.Admin],
        ["POST /admin/integrations"] = [],
        ["GET /admin/webhooks"] = [Who.Admin],
        ["POST /admin/webhooks"] = [],
        ["GET /admin/history"] = [Who.Admin],
        ["POST /admin/history"] = [],
        ["POST /admin/fleet"] = [],
        // The API's description is public (it shows no staff-only endpoint and no secret); its
        // interactive reference, which sends requests with the staff cookie, is for staff only.
        ["GET /openapi/{documentName}.json"] = Everyone,
        ["GET /api-reference/{documentName?}"] = Staff,
        // The reference page's own script and icon from the Scalar package, the same for everyone.
        ["GET /api-reference/scalar.js"] = Everyone,
        ["GET /api-reference/scalar.aspnetcore.js"] = Everyone,
        ["GET /api-reference/favicon.svg"] = Everyone,
    };

    [Fact]
    public async Task every_endpoint_allows_exactly_the_expected_callers()
    {
        var endpoints = EndpointInventory.AppEndpoints(app.Services);
        var missing = endpoints.Except(Expected.Keys).ToList();
        Assert.True(missing.Count == 0, "endpoints without an entry in the authorization matrix: " + string.Join(", ", missing));
        var stale = Expected.Keys.Except(endpoints).ToList();
        Assert.True(stale.Count == 0, "matrix entries for endpoints that no longer exist: " + string.Join(", ", stale));

        var callers = await CallersAsync();
        var failures = new List<string>();
        var checks = 0;
        foreach (var endpoint in endpoints)
            foreach (var who in Everyone)
            {
                using var request = await callers.RequestAsync(endpoint, who);
                using var response = await callers.ClientFor(who).SendAsync(request);
                var allowed = endpoint.EndsWith(" /osmand", StringComparison.Ordinal)
                    ? !await CountedAsUnknownDeviceAsync(request)
                    : IsAllowed(response);
                checks++;
                if (allowed != Expected[endpoint].Contains(who))
                    failures.Add($"{endpoint} as {who}: {(int)response.StatusCode} {response.Headers.Location} (expected {(Expected[endpoint].Contains(who) ? "allow" : "deny")})");
            }
        output.WriteLine($"{endpoints.Count} endpoints × {Everyone.Length} callers = {checks} checks");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// /metrics is middleware, not an endpoint (the inventory above cannot see it): nobody gets it
    /// with a cookie or a link token, only Prometheus with its bearer token.
    /// </summary>
    [Fact]
    public async Task the_metrics_scrape_answers_only_its_bearer_token()
    {
        var callers = await CallersAsync();
        foreach (var who in Everyone)
        {
            using var response = await callers.ClientFor(who).GetAsync("/metrics");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"/metrics as {who}: {(int)response.StatusCode}");
        }
        var prometheus = app.CreateClient();
        prometheus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await prometheus.GetAsync("/metrics")).StatusCode);
        prometheus.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        var scraped = await prometheus.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("sendy_leases_held", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>2xx is access, and so is a redirect anywhere but sign-in or denied; 400, 401, 403, 404 are not.</summary>
    private async Task<bool> CountedAsUnknownDeviceAsync(HttpRequestMessage request)
    {
        var id = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.RequestUri!.Query)["id"].ToString();
        return await app.Database.ScalarAsync<long>("SELECT count(*) FROM unknown_tracker_ids WHERE id_hash_prefix = $1",
            Sendy.Engine.Trackers.TrackerIds.HashPrefix(id)) > 0;
    }

    private static bool IsAllowed(HttpResponseMessage response) => (int)response.StatusCode is >= 200 and < 300
        || (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } to
            && !to.OriginalString.Contains("/account/", StringComparison.OrdinalIgnoreCase);

    private async Task<Callers> CallersAsync()
    {
        var a = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
        var (_, _, driverB, _, _) = await app.CreateAssignedDeliveryAsync(Sendy.Engine.Deliveries.DeliveryStatus.InTransit);
        var dispatcher = await SignedInClientAsync(await CreateStaffAsync(StaffRoles.Dispatcher), "matrix-dispatcher-pw");
        var admin = await SignedInClientAsync("matrix-admin@test.local", "matrix-admin-password");
        var clients = app.Services.GetRequiredService<Sendy.Engine.Integrations.ApiClientRegistry>();
        var (every, _) = await clients.CreateAsync("matrix-all-" + Guid.NewGuid().ToString("N")[..8], Sendy.Engine.Integrations.ApiScopes.All, "matrix", default);
        var (reader, _) = await clients.CreateAsync("matrix-read-" + Guid.NewGuid().ToString("N")[..8], [Sendy.Engine.Integrations.ApiScopes.DeliveriesRead], "matrix", default);
        return new Callers(app, app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), dispatcher, admin,
            a.TruckId, a.DriverId, a.DriverToken, driverB, a.DeliveryId, a.TrackingToken, every!.Secret, reader!.Secret, every.Client.Id, reader.Client.Id);
    }

    private async Task<string> CreateStaffAsync(string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}"[..20] + "@test.local";
        var user = new StaffUser { UserName = email, Email = email };
        Assert.True((await users.CreateAsync(user, "matrix-dispatcher-pw")).Succeeded);
        await users.AddToRoleAsync(user, role);
        return email;
    }

    private async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, email, password)).StatusCode);
        return client;
    }

    private sealed class Callers(MatrixApp app, HttpClient anonymous, HttpClient dispatcher, HttpClient admin,
        string truckA, Guid driverIdA, string driverA, string driverB, Guid deliveryA, string trackingA, string apiKey, string readOnlyApiKey,
        Guid apiClientId, Guid readOnlyApiClientId)
    {
        private const string UnknownToken = "no-such-token-aaaaaaaaaaaaaaaaaaaaaaaaa";

        private Guid? _endpoint;

        /// <summary>A webhook endpoint of the all-scopes client: a shared one for calls that keep it, a fresh one to delete.</summary>
        private async Task<Guid> EndpointAsync(bool fresh)
        {
            if (!fresh && _endpoint is { } shared) return shared;
            var created = await app.Services.GetRequiredService<Sendy.Engine.Integrations.Webhooks.WebhookEndpoints>().CreateAsync(apiClientId,
                new("https://hooks.example.test/matrix", [Sendy.Engine.Integrations.Webhooks.WebhookEventTypes.Created], null), "matrix", default);
            if (!fresh) _endpoint = created!.Endpoint.Id;
            return created!.Endpoint.Id;
        }

        public HttpClient ClientFor(Who who) => who switch
        {
            Who.Dispatcher => dispatcher,
            Who.Admin => admin,
            _ => anonymous,
        };

        /// <summary>
        /// Each caller brings its own credential (its token in the path or as bearer, or its staff
        /// cookie) and the request a permitted caller would send, on a fresh delivery where the call
        /// changes one, so every allowed call is a valid one.
        /// </summary>
        public async Task<HttpRequestMessage> RequestAsync(string endpoint, Who who)
        {
            var (method, pattern) = (endpoint[..endpoint.IndexOf(' ')], endpoint[(endpoint.IndexOf(' ') + 1)..]);
            var token = who switch
            {
                Who.Customer => trackingA,
                Who.DriverOwnTruck => driverA,
                Who.DriverOtherTruck => driverB,
                _ => UnknownToken,
            };
            var delivery = deliveryA;
            string body = "{}";
            var reference = "matrix-" + Guid.NewGuid().ToString("N");
            var linkId = Guid.Empty;
            if (pattern.Contains("{linkId:guid}", StringComparison.Ordinal))
            {
                // A fresh delivery's own link, so every permitted revoke or extend is a valid one.
                delivery = (await app.Fleet.CreateDeliveryAsync(truckA, null, "Matrix", Sendy.Engine.Deliveries.DeliveryStatus.Booked, default)).Entity.Id;
                linkId = await app.Database.ScalarAsync<Guid>("SELECT id FROM tracking_links WHERE delivery_id = $1", delivery);
                body = $$"""{"expiresAt":"{{DateTimeOffset.UtcNow.AddDays(3):O}}"}""";
            }
            long messageId = 0;
            if (pattern.StartsWith("/api/v1/webhooks/endpoints/{id:guid}", StringComparison.Ordinal))
            {
                delivery = await EndpointAsync(fresh: method == "DELETE");
                body = method == "PATCH" ? """{"description":"matrix"}""" : "{}";
                if (pattern.Contains("{messageId:long}", StringComparison.Ordinal))
                    messageId = await app.Database.ScalarAsync<long>("""
                        INSERT INTO webhook_messages (message_id, endpoint_id, delivery_id, sequence, event_type, payload, created_at, state, attempts)
                        VALUES ($1, $2, $3, 1, 'delivery.created', '{}', now(), 'Delivered', 1) RETURNING id
                        """, "msg_" + Guid.NewGuid().ToString("N"), delivery, deliveryA);
            }
            switch (pattern)
            {
                case "/api/v1/webhooks/endpoints":
                    body = $$"""{"url":"https://hooks.example.test/matrix","eventTypes":["delivery.created"],"apiClientId":"{{apiClientId}}"}""";
                    break;
                case "/api/v1/deliveries/by-reference/{externalReference}":
                    // A delivery the caller's client booked under this reference (staff find it whoever booked it).
                    var booked = (await app.Fleet.CreateDeliveryAsync(truckA, null, "Matrix", Sendy.Engine.Deliveries.DeliveryStatus.Booked, default)).Entity.Id;
                    await app.Database.ExecuteAsync("UPDATE deliveries SET api_client_id = $2, external_reference = $3 WHERE id = $1",
                        booked, who == Who.ApiClientReadOnly ? readOnlyApiClientId : apiClientId, reference);
                    break;
                case "/api/v1/positions":
                    body = $$"""{"fixes":[{"truckId":"{{truckA}}","lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""";
                    break;
                case "/api/v1/deliveries/":
                    body = """{"customerName":"Matrix","locale":"en","pickup":{"address":"Incheon","lat":37.45,"lon":126.6},"dropoff":{"address":"Busan","lat":35.1,"lon":129.04}}""";
                    break;
                case "/api/v1/deliveries/{id:guid}/assignment":
                    delivery = (await app.Fleet.CreateDeliveryAsync(truckA, null, "Matrix", Sendy.Engine.Deliveries.DeliveryStatus.Booked, default)).Entity.Id;
                    body = $$"""{"driverId":"{{driverIdA}}"}""";
                    break;
                case "/api/v1/deliveries/{id:guid}/cancel":
                    delivery = (await app.Fleet.CreateDeliveryAsync(truckA, driverIdA, "Matrix", Sendy.Engine.Deliveries.DeliveryStatus.InTransit, default)).Entity.Id;
                    body = $$"""{"reason":"customer called","idempotencyKey":"{{Guid.NewGuid()}}"}""";
                    break;
                case "/api/v1/shippers/":
                    body = $$"""{"name":"Matrix {{Guid.NewGuid():N}}"}""";
                    break;
                case "/api/v1/shippers/{id:guid}":
                    delivery = Sendy.Engine.Storage.Shipper.DirectId;
                    if (method == "PUT")
                    {
                        var (shipper, _) = await app.Services.GetRequiredService<Sendy.Engine.Shippers.ShipperRegistry>()
                            .CreateAsync(new("Matrix " + Guid.NewGuid().ToString("N"), null, null, null, null, null), default);
                        delivery = shipper!.Id;
                        body = $$"""{"name":"Matrix {{Guid.NewGuid():N}}","locale":"en"}""";
                    }
                    break;
                case "/api/v1/trucks/{truckId}/device/":
                    body = $$"""{"legacyId":"matrix-{{Guid.NewGuid():N}}"}""";
                    break;
                case "/osmand":
                    pattern = $"/osmand?id=matrix-{Guid.NewGuid():N}&lat=37.5&lon=127&timestamp=" + DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    break;
                case "/api/v1/admin/trucks/{truckId}/track":
                    // A day every zone has reached (the UTC day before today), so an admin's request is a valid one.
                    pattern += "?day=" + DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "/api/v1/deliveries/{id:guid}/status":
                    delivery = (await app.Fleet.CreateDeliveryAsync(truckA, driverIdA, "Matrix", Sendy.Engine.Deliveries.DeliveryStatus.InTransit, default)).Entity.Id;
                    body = $$"""{"status":"Arrived","idempotencyKey":"{{Guid.NewGuid()}}"}""";
                    break;
            }
            if (pattern == "/culture/{culture}") pattern = "/culture/ko?returnUrl=%2F";
            if (pattern == "/theme/{mode}") pattern = "/theme/dark?returnUrl=%2F";
            if (pattern == "/openapi/{documentName}.json") pattern = "/openapi/v1.json";
            if (pattern == "/api-reference/{documentName?}") pattern = "/api-reference/v1";
            var path = pattern.Replace("{Token}", token).Replace("{externalReference}", reference).Replace("{linkId:guid}", linkId.ToString()).Replace("{messageId:long}", messageId.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("{id:guid}", delivery.ToString()).Replace("{truckId}", truckA)
                .Replace("{Id}", delivery.ToString());
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (who is Who.Customer or Who.DriverOwnTruck or Who.DriverOtherTruck)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (who is Who.ApiClient or Who.ApiClientReadOnly)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who == Who.ApiClient ? apiKey : readOnlyApiKey);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = pattern.StartsWith("/api/", StringComparison.Ordinal) || pattern.StartsWith("/osmand", StringComparison.Ordinal)
                    ? new StringContent(body, Encoding.UTF8, "application/json")
                    : new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" });
            }
            return request;
        }
    }
}
