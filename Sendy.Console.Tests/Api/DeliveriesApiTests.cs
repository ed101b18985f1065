using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Api;

/// <summary>The deliveries API through the whole app, on real PostgreSQL.</summary>
public sealed class DeliveriesApiTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private static string Key() => "k-" + Guid.NewGuid().ToString("N");

    private async Task<HttpResponseMessage> PostStatusAsync(Guid deliveryId, string? token, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/deliveries/{deliveryId}/status")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await app.CreateClient().SendAsync(request);
    }

    private Task<long> EventCountAsync(Guid deliveryId) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM delivery_status_events WHERE delivery_id = $1", deliveryId);

    private Task<string> StatusAsync(Guid deliveryId) =>
        app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", deliveryId);

    [Fact]
    public async Task the_assigned_driver_moves_the_delivery_and_gets_201_with_the_event()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);

        var response = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "PickedUp", note = "12 pallets", idempotencyKey = Key() });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ev = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("EnRouteToPickup", ev.GetProperty("from").GetString());
        Assert.Equal("PickedUp", ev.GetProperty("to").GetString());
        Assert.Equal("Driver", ev.GetProperty("actorKind").GetString());
        Assert.Equal(d.DriverId.ToString(), ev.GetProperty("actorId").GetString());
        Assert.Equal("12 pallets", ev.GetProperty("note").GetString());
        Assert.Equal("PickedUp", await StatusAsync(d.DeliveryId));
    }

    [Fact]
    public async Task the_same_idempotency_key_returns_the_first_result_and_writes_nothing_more()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.PickedUp);
        var key = Key();

        var first = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "InTransit", idempotencyKey = key });
        var second = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "InTransit", idempotencyKey = key });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("id").GetGuid(), b.GetProperty("id").GetGuid());
        Assert.Equal(1, await EventCountAsync(d.DeliveryId));
    }

    [Fact]
    public async Task concurrent_duplicates_store_one_event()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.InTransit);
        var key = Key();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "Arrived", idempotencyKey = key })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(1, await EventCountAsync(d.DeliveryId));
    }

    [Fact]
    public async Task an_invalid_transition_is_409_problem_details_and_changes_nothing()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);

        var response = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "Delivered", idempotencyKey = Key() });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("EnRouteToPickup", problem.GetProperty("currentStatus").GetString());
        Assert.Equal("EnRouteToPickup", await StatusAsync(d.DeliveryId));
        Assert.Equal(0, await EventCountAsync(d.DeliveryId));
    }

    [Fact]
    public async Task another_drivers_token_is_403_and_no_token_is_401()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);
        var other = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);

        var foreign = await PostStatusAsync(d.DeliveryId, other.DriverToken, new { status = "PickedUp", idempotencyKey = Key() });
        var anonymous = await PostStatusAsync(d.DeliveryId, null, new { status = "PickedUp", idempotencyKey = Key() });

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(0, await EventCountAsync(d.DeliveryId));
    }

    [Fact]
    public async Task drivers_cannot_cancel()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.InTransit);
        var response = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "Cancelled", idempotencyKey = Key() });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{"status":"PickedUp"}""", "idempotencyKey" },
        { """{"status":"PickedUp","idempotencyKey":"short"}""", "idempotencyKey" },
        { """{"status":"Teleported","idempotencyKey":"key-12345678"}""", "status" },
        { """{"status":"3","idempotencyKey":"key-12345678"}""", "status" },
        { """{"status":"Failed","idempotencyKey":"key-12345678"}""", "reason" },
        { """{"status":42,"idempotencyKey":"key-12345678"}""", "status" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task invalid_bodies_are_400_naming_the_field(string body, string field)
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/deliveries/{d.DeliveryId}/status")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", d.DriverToken);

        var response = await app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await EventCountAsync(d.DeliveryId));
    }

    [Fact]
    public async Task failed_with_a_reason_is_stored_with_the_reason()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.Arrived);
        var response = await PostStatusAsync(d.DeliveryId, d.DriverToken, new { status = "Failed", reason = "Nobody at the dock", idempotencyKey = Key() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Nobody at the dock", await app.Database.ScalarAsync<string>("SELECT failure_reason FROM deliveries WHERE id = $1", d.DeliveryId));
    }

    [Fact]
    public async Task the_driver_gets_the_current_delivery_with_its_next_statuses()
    {
        var d = await app.CreateAssignedDeliveryAsync(DeliveryStatus.EnRouteToPickup);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/driver/deliveries/current");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", d.DriverToken);

        var response = await app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var current = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(d.DeliveryId, current.GetProperty("id").GetGuid());
        Assert.Equal(["PickedUp", "Failed"], current.GetProperty("nextStatuses").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Theory]
    [InlineData("GET", "/api/v1/deliveries")]
    [InlineData("POST", "/api/v1/deliveries")]
    [InlineData("GET", "/admin/jobs")]
    public async Task dispatcher_endpoints_answer_401_without_a_signed_in_dispatcher(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null };
        var response = await app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task a_dispatcher_books_and_assigns_and_the_driver_sees_it()
    {
        using var dispatcherApp = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddAuthentication(TestDispatcherAuth.Name).AddScheme<AuthenticationSchemeOptions, TestDispatcherAuth>(TestDispatcherAuth.Name, null)));
        var http = dispatcherApp.CreateClient();
        var truck = await app.CreateAssignedDeliveryAsync(DeliveryStatus.Delivered);

        var booked = await http.PostAsJsonAsync("/api/v1/deliveries", new
        {
            customerName = "김하늘", customerEmail = "sky@example.test", customerPhone = "+821055512345", locale = "ko",
            pickup = new { address = "인천광역시 중구 서해대로 366", lat = 37.4563, lon = 126.6052 },
            dropoff = new { address = "부산광역시 강서구 신항로 295", lat = 35.0790, lon = 128.8200 },
        });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var id = (await booked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var assigned = await http.PostAsJsonAsync($"/api/v1/deliveries/{id}/assignment", new { driverId = truck.DriverId });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var view = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deliveries/{id}");
        Assert.Equal("DriverAssigned", view.GetProperty("status").GetString());
        Assert.Equal(["Booked", "DriverAssigned"], view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("to").GetString()!).ToArray());

        var invalid = await http.PostAsJsonAsync("/api/v1/deliveries", new { customerName = "x", customerPhone = "010-1234", pickup = new { address = "a" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task over_long_actor_names_and_customer_emails_are_400_naming_the_field_not_500()
    {
        using var dispatcherApp = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddAuthentication(TestDispatcherAuth.Name).AddScheme<AuthenticationSchemeOptions, TestDispatcherAuth>(TestDispatcherAuth.Name, null)));
        var http = dispatcherApp.CreateClient();
        var (_, driverId, _, deliveryId, _) = await app.CreateAssignedDeliveryAsync(DeliveryStatus.InTransit);
        object Booking(string email) => new
        {
            customerName = "김하늘", customerEmail = email, locale = "ko",
            pickup = new { address = "인천광역시 중구 서해대로 366", lat = 37.4563, lon = 126.6052 },
            dropoff = new { address = "부산광역시 강서구 신항로 295", lat = 35.0790, lon = 128.8200 },
        };

        var longEmail = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".test"; // 313 characters, well-formed
        var refused = await http.PostAsJsonAsync("/api/v1/deliveries", Booking(longEmail));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("customerEmail", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var longest = new string('a', 64) + "@" + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 58) + ".kr"; // 254, the most SMTP carries
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/deliveries", Booking(longest))).StatusCode);

        var longName = new string('n', 90) + "@example.test"; // an Identity user name may be 256 characters long
        foreach (var (path, body) in new (string, object)[]
        {
            ("/api/v1/deliveries", Booking("sky@example.test")),
            ($"/api/v1/deliveries/{deliveryId}/assignment", new { driverId }),
            ($"/api/v1/deliveries/{deliveryId}/cancel", new { reason = "customer asked", idempotencyKey = "cancel-long-actor" }),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add(TestDispatcherAuth.NameHeader, longName);
            var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("actor", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
        var view = await http.GetFromJsonAsync<JsonElement>($"/api/v1/deliveries/{deliveryId}");
        Assert.Equal("InTransit", view.GetProperty("status").GetString());
    }

    private sealed class TestDispatcherAuth(IOptionsMonitor<AuthenticationSchemeOptions> o, ILoggerFactory l, UrlEncoder e)
        : AuthenticationHandler<AuthenticationSchemeOptions>(o, l, e)
    {
        public const string Name = "TestDispatcher";
        public const string NameHeader = "X-Test-Dispatcher";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, Request.Headers[NameHeader].FirstOrDefault() ?? "dispatcher-1"),
                new Claim(ClaimTypes.Role, "Dispatcher")], Name)), Name)));
    }
}
