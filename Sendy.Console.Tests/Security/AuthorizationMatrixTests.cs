using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Storage;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Security;

public enum Who { Anonymous, Customer, DriverOwnTruck, DriverOtherTruck, Dispatcher, Admin }

/// <summary>
/// Every endpoint of the app (from its endpoint data source) against every kind of caller. A new
/// endpoint without an entry fails the test, so access is decided on purpose, not by accident.
/// </summary>
public sealed partial class AuthorizationMatrixTests(AuthorizationMatrixTests.MatrixApp app, ITestOutputHelper output)
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
        }
    }

    private static readonly Who[] Everyone = Enum.GetValues<Who>();
    private static readonly Who[] Staff = [Who.Dispatcher, Who.Admin];

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
        ["GET /t/{Token}"] = [Who.Customer],
        ["GET /d/{Token}"] = [Who.DriverOwnTruck, Who.DriverOtherTruck], // each with their own link
        ["GET /dispatch"] = Staff,
        ["GET /admin/consumers"] = [Who.Admin],
        ["POST /api/v1/positions"] = [Who.DriverOwnTruck], // the other truck's driver cannot post for this truck
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
            using var request = callers.Request(endpoint, who);
            using var response = await callers.ClientFor(who).SendAsync(request);
            var allowed = IsAllowed(response);
            checks++;
            if (allowed != Expected[endpoint].Contains(who))
                failures.Add($"{endpoint} as {who}: {(int)response.StatusCode} {response.Headers.Location} (expected {(Expected[endpoint].Contains(who) ? "allow" : "deny")})");
        }
        output.WriteLine($"{endpoints.Count} endpoints × {Everyone.Length} callers = {checks} checks");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>2xx is access; a redirect to sign-in or denied, 400, 401, 403, 404 are not.</summary>
    private static bool IsAllowed(HttpResponseMessage response) => (int)response.StatusCode is >= 200 and < 300;

    private async Task<Callers> CallersAsync()
    {
        var (truckA, driverA, trackingA) = await app.CreateTruckWithDeliveryAsync();
        var (_, driverB, _) = await app.CreateTruckWithDeliveryAsync();
        var dispatcher = await SignedInClientAsync(await CreateStaffAsync(StaffRoles.Dispatcher), "matrix-dispatcher-pw");
        var admin = await SignedInClientAsync("matrix-admin@test.local", "matrix-admin-password");
        return new Callers(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), dispatcher, admin,
            truckA, driverA, driverB, trackingA);
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

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = AntiforgeryField().Match(form).Groups[1].Value,
            ["Input.Email"] = email, ["Input.Password"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private sealed class Callers(HttpClient anonymous, HttpClient dispatcher, HttpClient admin,
        string truckA, string driverA, string driverB, string trackingA)
    {
        private const string UnknownToken = "no-such-token-aaaaaaaaaaaaaaaaaaaaaaaaa";

        public HttpClient ClientFor(Who who) => who switch
        {
            Who.Dispatcher => dispatcher,
            Who.Admin => admin,
            _ => anonymous,
        };

        /// <summary>Each caller brings its own credential: its token in the path or as bearer, or its staff cookie.</summary>
        public HttpRequestMessage Request(string endpoint, Who who)
        {
            var (method, pattern) = (endpoint[..endpoint.IndexOf(' ')], endpoint[(endpoint.IndexOf(' ') + 1)..]);
            var token = who switch
            {
                Who.Customer => trackingA,
                Who.DriverOwnTruck => driverA,
                Who.DriverOtherTruck => driverB,
                _ => UnknownToken,
            };
            var request = new HttpRequestMessage(new HttpMethod(method), pattern.Replace("{Token}", token));
            if (who is Who.Customer or Who.DriverOwnTruck or Who.DriverOtherTruck)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (method == "POST")
            {
                var body = pattern == "/api/v1/positions"
                    ? $$"""{"fixes":[{"truckId":"{{truckA}}","lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}"""
                    : "{}";
                request.Content = pattern.StartsWith("/api/", StringComparison.Ordinal)
                    ? new StringContent(body, Encoding.UTF8, "application/json")
                    : new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" });
            }
            return request;
        }
    }
}
