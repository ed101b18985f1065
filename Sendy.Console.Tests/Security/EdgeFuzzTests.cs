using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Security;

/// <summary>
/// Fuzz-style sweep of what issue 15 added at the edge: the sign-in form, forwarded headers from a
/// trusted proxy, and /metrics' bearer token. Every answer is a deliberate one (the form again, 4xx),
/// never a 5xx, and the app still works afterwards.
/// </summary>
public sealed class EdgeFuzzTests(EdgeFuzzTests.App app, ITestOutputHelper output) : IClassFixture<EdgeFuzzTests.App>
{
    private const string Proxy = "10.0.0.5";
    private const string ScrapeToken = "edge-fuzz-scrape-token-0123456789";

    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Proxy:KnownProxies:0", Proxy);
            builder.UseSetting("Sendy:Proxy:ForwardLimit", "2");
            builder.UseSetting("Sendy:Staff:SignInPerIpPermits", "100000");
            builder.UseSetting("Sendy:Staff:SignInPerUserPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
            builder.UseSetting("Sendy:RateLimits:PerDevicePermits", "100000");
            builder.UseSetting("Sendy:RateLimits:CircuitPerIpPermits", "100000");
            builder.UseSetting("Sendy:Telemetry:PrometheusScrapeToken", ScrapeToken);
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, TestPeerAddress>());
        }
    }

    private static readonly string[] Weird =
    [
        "", " ", "a", "@", "a@b", "\"quoted\"@example.com", "x'; DROP TABLE staff_users;--@test.local", "한국어@테스트.kr 🚚",
        "\u0000@test.local", new string('a', 5000) + "@test.local", "%00%0d%0aSet-Cookie: x=y", "<script>alert(1)</script>",
        "admin@test.local\r\nBcc: x@y", "ＡＤＭＩＮ@test.local", "\ud83d", "null", "[]", "{}",
    ];

    [Fact]
    public async Task the_sign_in_form_answers_every_odd_email_and_password_with_the_form()
    {
        var tried = 0;
        foreach (var value in Weird)
        {
            var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            foreach (var (email, password) in new[] { (value, "some-password-1"), ("someone@test.local", value) })
            {
                var response = await StaffLogin.PostAsync(client, email, password);
                tried++;
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
                    $"sign-in with email '{Short(email)}' and password '{Short(password)}': {(int)response.StatusCode}");
            }
        }
        output.WriteLine($"{tried} sign-in attempts");
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/account/login")).StatusCode);
    }

    [Fact]
    public async Task odd_forwarded_headers_from_a_trusted_proxy_never_make_a_server_error()
    {
        string[] forwardedFor =
        [
            "", " ", ",", ",,,", "garbage", "999.1.1.1", "1.2.3.4, , ,", "::::", "[::1]:80", "1.2.3.4:99999", "unknown",
            string.Join(",", Enumerable.Repeat("198.51.100.1", 200)), "198.51.100.1, 10.0.0.5", "한국", "\u0000", "_hidden",
        ];
        string[] proto = ["", "https", "HTTPS", "http", "ftp", "https, http", "javascript:", new string('s', 3000)];
        var tried = 0;
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var ff in forwardedFor)
            foreach (var p in proto)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/t/no-such-link");
                request.Headers.Add(TestPeerAddress.Header, Proxy);
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", ff);
                request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", p);
                using var response = await client.SendAsync(request);
                tried++;
                Assert.True((int)response.StatusCode is < 500, $"X-Forwarded-For '{Short(ff)}', X-Forwarded-Proto '{Short(p)}': {(int)response.StatusCode}");
            }
        string[] hosts =
        [
            "", " ", "track.example", "track.example:8443", "[::1]:80", "a b", "evil.example; script-src *", "x.example, y.example",
            "host:99999", "한국.example", "\u0000", "'self'", new string('h', 3000),
        ];
        foreach (var host in hosts)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/t/no-such-link");
            request.Headers.Add(TestPeerAddress.Header, Proxy);
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
            using var response = await client.SendAsync(request);
            tried++;
            Assert.True((int)response.StatusCode is < 500, $"X-Forwarded-Host '{Short(host)}': {(int)response.StatusCode}");
            // Whatever the host, the CSP keeps one connect-src of 'self' and at most one WebSocket origin.
            var connect = SecurityHeaderTests.Directive(response, "connect-src").Split(' ');
            Assert.True(connect is ["connect-src", "'self'"] or ["connect-src", "'self'", _], string.Join(' ', connect));
            Assert.DoesNotContain("script-src *", response.Headers.GetValues("Content-Security-Policy").Single());
        }
        output.WriteLine($"{tried} forwarded-header combinations");
    }

    [Fact]
    public async Task odd_authorization_headers_on_metrics_are_refused_with_401()
    {
        string[] values =
        [
            "", "Bearer", "Bearer ", "Basic " + ScrapeToken, ScrapeToken, "Bearer " + ScrapeToken[..^1], "Bearer " + ScrapeToken + "x",
            "Bearer " + new string('x', 10_000), "Bearer 토큰", "Token " + ScrapeToken, "Bearer" + ScrapeToken,
        ];
        var client = app.CreateClient();
        foreach (var value in values)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.TryAddWithoutValidation("Authorization", value);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"Authorization '{Short(value)}': {(int)response.StatusCode}");
        }
        foreach (var scheme in new[] { "Bearer", "bearer" }) // the scheme is case-insensitive (RFC 9110)
        {
            using var good = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            good.Headers.TryAddWithoutValidation("Authorization", scheme + " " + ScrapeToken);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(good)).StatusCode);
        }
    }

    /// <summary>
    /// Odd API keys on the API staff and booking systems share (and on a staff-only one): each is a
    /// 401 problem (or 403 for a real key without the scope), never a 5xx, and the real key still works.
    /// </summary>
    [Fact]
    public async Task odd_api_keys_on_the_booking_api_get_401_never_a_server_error()
    {
        var clients = app.Services.GetRequiredService<Sendy.Engine.Integrations.ApiClientRegistry>();
        var (reader, _) = await clients.CreateAsync("fuzz-" + Guid.NewGuid().ToString("N")[..8], [Sendy.Engine.Integrations.ApiScopes.DeliveriesRead], "fuzz", default);
        var real = reader!.Secret;
        string[] keys =
        [
            "sendy_sk_", "sendy_sk_" + new string('a', 42), "sendy_sk_" + new string('a', 44), "sendy_sk_" + new string('a', 10_000),
            real.ToUpperInvariant(), real[..^1] + "é", real + " " + real, "sendy_sk_" + new string('\u00e9', 43), real.Replace("sendy_sk_", "SENDY_SK_"),
            "sendy_sk_%00" + real[12..], real[..^2] + "\t1", "sendy_sk_../../etc/passwd" + new string('a', 18),
        ];
        var client = app.CreateClient();
        var tried = 0;
        foreach (var (method, path) in new[] { ("GET", "/api/v1/deliveries"), ("GET", $"/api/v1/deliveries/{Guid.NewGuid()}"), ("POST", "/api/v1/deliveries"),
                     ("GET", "/api/v1/admin/logs/deliveries/export"), ("GET", $"/api/v1/admin/deliveries/{Guid.NewGuid()}/track"),
                     ("GET", "/api/v1/admin/trucks/T-1/track?day=2026-12-01") })
            foreach (var key in keys)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
                if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                tried++;
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with '{Short(key)}': {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        using var good = new HttpRequestMessage(HttpMethod.Get, "/api/v1/deliveries?limit=1");
        good.Headers.TryAddWithoutValidation("Authorization", "Bearer " + real);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(good)).StatusCode);
        using var staffOnly = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/logs/deliveries/export");
        staffOnly.Headers.TryAddWithoutValidation("Authorization", "Bearer " + real);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(staffOnly)).StatusCode);
        output.WriteLine($"{tried} odd keys");
    }

    private static string Short(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
