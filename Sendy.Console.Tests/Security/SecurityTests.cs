using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Sendy.Console.Security;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Security;

public sealed class SecurityHeaderPolicyTests
{
    [Theory]
    [InlineData("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org")]
    [InlineData("https://{s}.tile.example.com/{z}/{x}/{y}.png", "https://*.tile.example.com")]
    [InlineData("/test-tiles/{z}/{x}/{y}.png", null)]
    [InlineData("", null)]
    public void the_csp_allows_exactly_the_tile_server(string tileUrl, string? expected)
    {
        Assert.Equal(expected, SecurityHeaders.TileSource(tileUrl));
        var policy = SecurityHeaders.BuildPolicy(tileUrl);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        if (expected is not null) Assert.Contains($"img-src 'self' data: {expected};", policy);
    }
}

public sealed class CacheControlTests
{
    [Theory]
    [InlineData("/t/abc", true)]
    [InlineData("/T/abc", true)]
    [InlineData("/d/abc", true)]
    [InlineData("/d", true)]
    [InlineData("/dispatch", false)]
    [InlineData("/theme/dark", false)]
    [InlineData("/api/v1/positions", false)]
    public void only_the_token_pages_get_no_store(string path, bool noStore)
    {
        var headers = new SecurityHeaders(Microsoft.Extensions.Options.Options.Create(new Sendy.Console.Map.MapOptions()));
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString("sendy.example");
        headers.Apply(context);
        Assert.Equal(noStore ? "no-store" : "", context.Response.Headers.CacheControl.ToString());
        Assert.Contains("connect-src 'self' ws://sendy.example;", context.Response.Headers.ContentSecurityPolicy.ToString());
    }
}

public sealed class SecurityHeaderTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/t/unknown-token-aaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("/health/live")]
    public async Task every_answer_carries_the_security_headers(string path)
    {
        var response = await app.CreateClient().GetAsync(path);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // Development: no HSTS
    }

    [Theory]
    [InlineData("/t/unknown-token-aaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("/d/unknown-token-aaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task the_token_pages_are_never_stored(string path)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        await client.GetAsync("/"); // holding the antiforgery cookie already, as a returning browser does
        var response = await client.GetAsync(path);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task the_csp_connects_only_to_this_hosts_websocket()
    {
        var client = app.CreateClient(new() { BaseAddress = new Uri("http://sendy.example:8080") });
        var response = await client.GetAsync("/");
        Assert.Equal("connect-src 'self' ws://sendy.example:8080", Directive(response, "connect-src"));
    }

    internal static string Directive(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries)
            .Single(d => d.StartsWith(name + " ", StringComparison.Ordinal));

    [Fact]
    public async Task the_antiforgery_cookie_is_http_only_and_same_site_strict()
    {
        var response = await app.CreateClient().GetAsync("/");
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.Contains("Antiforgery")) : null;
        Assert.NotNull(cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Outside Development: HSTS on, cookies Secure.</summary>
public sealed class ProductionSecurityTests(ProductionSecurityTests.ProductionApp app) : IClassFixture<ProductionSecurityTests.ProductionApp>
{
    public sealed class ProductionApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    [Fact]
    public async Task hsts_and_secure_cookies_outside_development()
    {
        // HSTS is never sent to localhost, so ask as a real host name.
        var client = app.CreateClient(new() { BaseAddress = new Uri("https://sendy.example") });
        var response = await client.GetAsync("/");
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        var cookie = response.Headers.GetValues("Set-Cookie").First(v => v.Contains("Antiforgery"));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Per-token and per-IP limits with small numbers so the test reaches them.</summary>
public sealed class RateLimitTests(RateLimitTests.LimitedApp app) : IClassFixture<RateLimitTests.LimitedApp>
{
    public sealed class LimitedApp : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:RateLimits:PerTokenPermits", "3");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "8");
            builder.UseSetting("Sendy:RateLimits:Window", "00:01:00");
        }
    }

    private static HttpRequestMessage Post(string token) => new(HttpMethod.Post, "/api/v1/positions")
    {
        Content = new StringContent($$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""",
            Encoding.UTF8, "application/json"),
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    [Fact]
    public async Task one_token_then_one_ip_are_limited_with_429_and_retry_after()
    {
        var client = app.CreateClient();
        var (_, token, _) = await app.CreateTruckWithDeliveryAsync();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) codes.Add((await client.SendAsync(Post(token))).StatusCode);
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], codes);

        // Other tokens from the same address: the per-IP window (8) runs out too.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await client.SendAsync(Post("other-token-" + i.ToString("D2") + new string('x', 30)));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
        }
        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // Staff and health endpoints are not the public surface: never limited here.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
