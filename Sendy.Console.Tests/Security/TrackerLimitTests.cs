using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Security;

/// <summary>
/// Limits keyed on who is calling: trackers per address before the device is looked up (so guessing
/// ids learns nothing, and is throttled), then per known device; drivers per token, so phones behind
/// one carrier NAT are not throttled together; Blazor circuit starts per address.
/// </summary>
public sealed class TrackerLimitTests(TrackerLimitTests.App app, ITestOutputHelper output) : IClassFixture<TrackerLimitTests.App>
{
    private const int PerIp = 40;
    private const int PerDevice = 3;
    private const int CircuitsPerIp = 3;
    private static int _addresses;

    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", PerIp.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Sendy:RateLimits:PerTokenPermits", "1000");
            builder.UseSetting("Sendy:RateLimits:PerDevicePermits", PerDevice.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Sendy:RateLimits:Window", "01:00:00");
            builder.UseSetting("Sendy:RateLimits:CircuitPerIpPermits", CircuitsPerIp.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Sendy:RateLimits:CircuitWindow", "01:00:00");
            builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestPeerAddress>());
        }
    }

    /// <summary>An address no other test here uses: each has its own buckets.</summary>
    private static string NewAddress() => "198.51.100." + (Interlocked.Increment(ref _addresses) + 10);

    private async Task<HttpResponseMessage> SendAsync(string address, HttpMethod method, string path, HttpContent? content = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(TestPeerAddress.Header, address);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await app.CreateClient().SendAsync(request);
    }

    private static string Json(string device, long ms) =>
        "{\"device_id\":\"" + device + "\",\"location\":{\"timestamp\":" + ms.ToString(CultureInfo.InvariantCulture)
        + ",\"coords\":{\"latitude\":37.5,\"longitude\":127}}}";

    private static string Fix(long seconds) => $"lat=37.5&lon=127&timestamp={seconds}";

    [Fact]
    public async Task ten_thousand_wrong_ids_get_identical_answers_and_are_throttled_per_address()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var device = await app.Fleet.IssueDeviceIdAsync(truck, default);
        var guesser = NewAddress();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var answers = new Dictionary<string, int>();
        for (var i = 0; i < 10_000; i++)
        {
            var guess = (100_000 + i).ToString(CultureInfo.InvariantCulture); // Traccar Client's default: 6 digits
            using var response = await SendAsync(guesser, HttpMethod.Get, $"/osmand?id={guess}&{Fix(now)}");
            var answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            answers[answer] = answers.GetValueOrDefault(answer) + 1;
        }
        output.WriteLine(string.Join("\n", answers.Select(a => $"{a.Value} x {a.Key}")));

        Assert.Equal(2, answers.Count); // one answer before the limit, one after: nothing tells ids apart
        Assert.Equal(PerIp, answers.Single(a => a.Key.StartsWith("200 ", StringComparison.Ordinal)).Value);
        Assert.Equal(10_000 - PerIp, answers.Single(a => a.Key.StartsWith("429 ", StringComparison.Ordinal)).Value);
        // The right id from the throttled address gets the same 429; from elsewhere it works.
        using var right = await SendAsync(guesser, HttpMethod.Get, $"/osmand?id={device}&{Fix(now)}");
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(answers.Keys.Single(k => k.StartsWith("429 ", StringComparison.Ordinal)), $"429 {await right.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(NewAddress(), HttpMethod.Get, $"/osmand?id={device}&{Fix(now)}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(NewAddress(), HttpMethod.Get, $"/osmand?id=123456&{Fix(now)}")).StatusCode);
    }

    [Fact]
    public async Task a_known_device_has_its_own_limit_whatever_the_spelling_of_its_id_and_the_address()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var device = (await app.Fleet.IssueDeviceIdAsync(truck, default))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var spellings = new Func<int, (HttpMethod, string, HttpContent?)>[]
        {
            i => (HttpMethod.Get, $"/osmand?id={device}&{Fix(now + i)}", null),
            i => (HttpMethod.Get, $"/osmand?deviceid={device}&{Fix(now + i)}", null),
            i => (HttpMethod.Post, "/osmand", new FormUrlEncodedContent(new Dictionary<string, string> { ["id"] = device, ["lat"] = "37.5", ["lon"] = "127", ["timestamp"] = (now + i).ToString(CultureInfo.InvariantCulture) })),
            i => (HttpMethod.Post, "/osmand", new StringContent(Json(device, (now + i) * 1000), Encoding.UTF8, "application/json")),
        };
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < spellings.Length; i++)
        {
            var (method, path, content) = spellings[i](i);
            codes.Add((await SendAsync(NewAddress(), method, path, content)).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, PerDevice), HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task drivers_behind_one_nat_address_are_limited_per_token_and_made_up_tokens_per_address()
    {
        var nat = NewAddress();
        var tokens = new List<string>();
        for (var i = 0; i < 10; i++) tokens.Add((await app.CreateTruckWithDeliveryAsync()).DriverToken);
        var posts = 0;
        for (var round = 0; round < 6; round++)
            foreach (var token in tokens)
            {
                var body = $$"""{"fixes":[{"lat":37.5,"lon":127,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""";
                var response = await SendAsync(nat, HttpMethod.Post, "/api/v1/positions", new StringContent(body, Encoding.UTF8, "application/json"), token);
                Assert.True(response.IsSuccessStatusCode, $"round {round}: {(int)response.StatusCode}");
                posts++;
            }
        Assert.True(posts > PerIp); // 60 posts from one address; only each phone's first counted against it

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < PerIp; i++)
            codes.Add((await SendAsync(nat, HttpMethod.Get, "/api/v1/driver/deliveries/current", bearer: Sendy.Engine.Security.AccessTokens.Create())).StatusCode);
        Assert.Contains(HttpStatusCode.Unauthorized, codes);
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]); // made-up tokens still count against the address
    }

    [Fact]
    public async Task blazor_negotiations_are_limited_per_address()
    {
        var address = NewAddress();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i <= CircuitsPerIp; i++)
            codes.Add((await SendAsync(address, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", new StringContent(""))).StatusCode);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, CircuitsPerIp), HttpStatusCode.TooManyRequests], codes);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(NewAddress(), HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", new StringContent(""))).StatusCode);
    }
}
