using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;

namespace Sendy.Console.Tests.Security;

/// <summary>
/// Behind a TLS-terminating proxy (production settings): X-Forwarded-For and -Proto are believed
/// only from the configured proxies, so rate limits see the real client, HSTS is sent and cookies
/// are Secure; the same headers from anyone else change nothing.
/// </summary>
public sealed class ProxyTests(ProxyTests.App app) : IClassFixture<ProxyTests.App>
{
    private const string Proxy = "10.0.0.5";
    private const string ProxyInNetwork = "10.1.2.3";
    private const string Stranger = "203.0.113.9";

    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("Sendy:Proxy:KnownProxies:0", Proxy);
            builder.UseSetting("Sendy:Proxy:KnownNetworks:0", "10.1.0.0/16");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "3");
            builder.UseSetting("Sendy:RateLimits:PerTokenPermits", "1000");
            builder.UseSetting("Sendy:RateLimits:Window", "01:00:00");
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, TestPeerAddress>());
        }
    }

    [Theory]
    [InlineData(Proxy)]
    [InlineData(ProxyInNetwork)]
    public async Task https_at_a_known_proxy_gets_hsts_and_secure_cookies(string peer)
    {
        var response = await Send(HttpMethod.Get, "/culture/ko?returnUrl=/", peer, forwardedFor: "198.51.100.7", proto: "https");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"), "HSTS after TLS termination");
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task forwarded_headers_from_anyone_else_are_ignored()
    {
        var response = await Send(HttpMethod.Get, "/culture/ko?returnUrl=/", Stranger, forwardedFor: "198.51.100.7", proto: "https");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task the_csp_names_the_websocket_of_the_host_the_proxy_forwards()
    {
        var proxied = await Send(HttpMethod.Get, "/t/no-such-link", Proxy, ClientAddress(), proto: "https", host: "track.example");
        Assert.Equal("connect-src 'self' wss://track.example", SecurityHeaderTests.Directive(proxied, "connect-src"));

        var stranger = await Send(HttpMethod.Get, "/t/no-such-link", "203.0.113.77", ClientAddress(), proto: "https", host: "evil.example");
        Assert.Equal("connect-src 'self' ws://sendy.example", SecurityHeaderTests.Directive(stranger, "connect-src"));
    }

    [Fact]
    public async Task clients_behind_the_proxy_each_have_their_own_rate_limit()
    {
        var first = ClientAddress();
        var second = ClientAddress();
        for (var i = 0; i < 3; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await Send(HttpMethod.Get, "/t/no-such-link", Proxy, first)).StatusCode);
        var refused = await Send(HttpMethod.Get, "/t/no-such-link", Proxy, first);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await Send(HttpMethod.Get, "/t/no-such-link", Proxy, second)).StatusCode);
    }

    [Fact]
    public async Task a_stranger_cannot_escape_its_limit_by_inventing_forwarded_addresses()
    {
        var stranger = "203.0.113." + Random.Shared.Next(10, 250);
        for (var i = 0; i < 3; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await Send(HttpMethod.Get, "/t/no-such-link", stranger, ClientAddress())).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(HttpMethod.Get, "/t/no-such-link", stranger, ClientAddress())).StatusCode);
    }

    private static int _clients;

    /// <summary>A client address no other test in this class uses (each has its own bucket).</summary>
    private static string ClientAddress() => "198.51.100." + (Interlocked.Increment(ref _clients) + 10);

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string peer, string? forwardedFor = null, string? proto = null, string? host = null)
    {
        // A public host name: HSTS is never sent for localhost.
        var client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://sendy.example/"),
        });
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(TestPeerAddress.Header, peer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (proto is not null) request.Headers.Add("X-Forwarded-Proto", proto);
        if (host is not null) request.Headers.Add("X-Forwarded-Host", host);
        return await client.SendAsync(request);
    }
}
