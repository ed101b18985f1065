using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Console.Tests.Browser;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.KeyRing;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Faults;
using Sendy.Engine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Nodes;

/// <summary>
/// What an operator runs: Debian's nginx with docs/nginx/sendy.conf in front of two console
/// processes on one database and one stream, each with its own home folder. Through nginx:
/// links and staff cookies work on either node, rate limits count each client (not the proxy),
/// the access log keeps no token, Chromium follows a truck live, and when the customer's node
/// stops the page comes back on the other node and keeps following.
/// </summary>
public sealed class TwoNodesBehindNginxTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminEmail = "nginx-admin@test.local";
    private const string AdminPassword = "nginx-admin-password-1";
    private const int PerClientPermits = 30;

    private readonly TestDatabase _db = new();
    private readonly string _stream = "nginx-test-" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<string> _homes = [];
    private readonly Dictionary<string, ConsoleProcess> _nodes = [];
    private NginxProcess _nginx = null!;
    private (string TruckId, string DriverToken, string TrackingToken) _delivery;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        // Seeded first by a third party on the shared key ring, so the ring's key exists before either node starts.
        _delivery = await SeedAsync();
        foreach (var name in new[] { "a", "b" })
        {
            var node = new ConsoleProcess(_db.ConnectionString, SendyAppFactory.KinesaliteEndpoint, _stream, "nginx-node-" + name, Settings());
            await node.StartAsync();
            _nodes[$"127.0.0.1:{node.Port}"] = node;
        }
        _nginx = await NginxProcess.StartAsync([.. _nodes.Keys]);
    }

    public async Task DisposeAsync()
    {
        if (_nginx is not null) await _nginx.DisposeAsync();
        foreach (var node in _nodes.Values) await node.DisposeAsync();
        foreach (var home in _homes) Directory.Delete(home, recursive: true);
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task two_nodes_behind_nginx_share_sessions_count_clients_and_hand_over_customers()
    {
        // Consistent hashing on the client address: find clients of each node (loopback has a /8).
        var clientsOf = new Dictionary<string, List<string>>();
        for (var i = 2; i < 60 && (clientsOf.Count < 2 || clientsOf.Values.Min(l => l.Count) < 2); i++)
        {
            var address = $"127.0.0.{i}";
            using var probe = await From(address).GetAsync("/health/live");
            clientsOf.TryAdd(Upstream(probe), []);
            clientsOf[Upstream(probe)].Add(address);
        }
        Assert.True(clientsOf.Count == 2, "nginx spread 58 client addresses over one node only");
        var (nodeA, nodeB) = (clientsOf.Keys.First(), clientsOf.Keys.Last());
        var (onA, alsoOnA, onB) = (clientsOf[nodeA][0], clientsOf[nodeA][1], clientsOf[nodeB][0]);

        // A customer's link opens on both nodes; a staff cookie from one works on the other.
        foreach (var client in new[] { onA, onB })
        {
            using var page = await From(client).GetAsync("/t/" + _delivery.TrackingToken);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
        var cookie = await StaffLogin.CookieAsync(From(onA, cookies: true), AdminEmail, AdminPassword);
        var staffOnB = From(onB);
        staffOnB.DefaultRequestHeaders.Add("Cookie", cookie);
        using (var dispatch = await staffOnB.GetAsync("/dispatch"))
        {
            Assert.Equal(HttpStatusCode.OK, dispatch.StatusCode);
            Assert.Equal(nodeB, Upstream(dispatch));
        }

        // Rate limits count the client nginx names, not nginx: one client on node A runs out, another on A does not.
        var limited = From(onA);
        HttpStatusCode last = default;
        for (var i = 0; i <= PerClientPermits && last != HttpStatusCode.TooManyRequests; i++)
            last = (await limited.GetAsync("/t/no-such-link-" + i)).StatusCode;
        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        using (var neighbour = await From(alsoOnA).GetAsync("/t/no-such-link"))
        {
            Assert.Equal(nodeA, Upstream(neighbour));
            Assert.NotEqual(HttpStatusCode.TooManyRequests, neighbour.StatusCode);
        }

        await CustomerFollowsTheTruckAcrossANodeStopAsync();

        // The access log has the requests, without the tokens in paths or headers.
        var log = _nginx.AccessLog;
        Assert.Contains("GET /t/-", log, StringComparison.Ordinal);
        Assert.DoesNotContain(_delivery.TrackingToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(_delivery.DriverToken, log, StringComparison.Ordinal);
    }

    private async Task CustomerFollowsTheTruckAcrossANodeStopAsync()
    {
        // Chromium connects from 127.0.0.1: the node it lands on is the one to stop.
        using var probe = await From("127.0.0.1").GetAsync("/health/live");
        var customersNode = Upstream(probe);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = _nginx.BaseUrl + "/" });
            await page.GotoAsync("t/" + _delivery.TrackingToken);
            await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });

            await PostFixAsync(37.5547, 126.9707);
            await MarkerAtAsync(page, 37.5547, 126.9707);

            var stopping = _nodes[customersNode];
            (TimeSpan Took, int ExitCode) stopped;
            try
            {
                stopped = await stopping.TerminateAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                output.WriteLine("the stopped node's log, last lines:\n" + string.Join('\n', stopping.Log.Split('\n').TakeLast(80)));
            }
            var (took, code) = stopped;
            output.WriteLine($"stopped the customer's node {customersNode} in {took.TotalSeconds:F1} s (exit {code})");
            Assert.Equal(0, code);
            // Well inside the host's 30 s shutdown timeout: an open circuit no longer holds the
            // process until then (CircuitShutdownGate); the consumer's grace here is 5 s.
            Assert.True(took < TimeSpan.FromSeconds(20), $"the node took {took.TotalSeconds:F1} s to stop");
            _nodes.Remove(customersNode);

            // The circuit died with its node; the page reconnects to the other one (Blazor reloads
            // when the server does not know the circuit) and follows the truck from there.
            await Eventually.ReachesAsync(async () =>
            {
                await PostFixAsync(37.5600, 126.9800);
                return await page.Locator("[data-testid=truck-map]").GetAttributeAsync("data-truck-lat", new() { Timeout = 5_000 });
            }, lat => lat == "37.56", "the page following the truck on the other node", timeoutSeconds: 90);
            await MarkerAtAsync(page, 37.56, 126.98);
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private async Task PostFixAsync(double lat, double lon)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture,
                $$"""{"fixes":[{"lat":{{lat}},"lon":{{lon}},"recordedAt":"{{DateTimeOffset.UtcNow:O}}"}]}"""), Encoding.UTF8, "application/json"),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", _delivery.DriverToken) },
        };
        using var response = await From("127.0.0.250").SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable,
            $"posting a fix: {(int)response.StatusCode}");
    }

    private static async Task MarkerAtAsync(IPage page, double lat, double lng)
    {
        var map = page.Locator("[data-testid=truck-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-truck-lat", Math.Round(lat, 6).ToString(CultureInfo.InvariantCulture),
            new() { Timeout = 60_000 });
        await Assertions.Expect(map).ToHaveAttributeAsync("data-truck-lng", Math.Round(lng, 6).ToString(CultureInfo.InvariantCulture),
            new() { Timeout = 60_000 });
    }

    /// <summary>A client whose connections to nginx come from <paramref name="address"/> (any 127.x.y.z is this machine).</summary>
    private HttpClient From(string address, bool cookies = false)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(_nginx.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    private static string Upstream(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Upstream", out var values) ? values.First() : throw new InvalidOperationException("no X-Upstream header");

    private Dictionary<string, string> Settings()
    {
        var home = Directory.CreateTempSubdirectory("sendy-node-home-").FullName;
        _homes.Add(home);
        return new()
        {
            ["HOME"] = home, // nothing shared through the file system: the key ring is in the database
            ["Sendy__Proxy__KnownProxies__0"] = "127.0.0.1",
            ["Sendy__RateLimits__Enabled"] = "true",
            ["Sendy__RateLimits__PerIpPermits"] = PerClientPermits.ToString(CultureInfo.InvariantCulture),
            ["Sendy__RateLimits__PerTokenPermits"] = "100000",
            ["Sendy__RateLimits__Window"] = "00:10:00",
            ["Sendy__Admin__Email"] = AdminEmail,
            ["Sendy__Admin__Password"] = AdminPassword,
            ["Sendy__Consumer__ShutdownGrace"] = "00:00:05",
        };
    }

    private async Task<(string TruckId, string DriverToken, string TrackingToken)> SeedAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, _db.ConnectionString));
        services.AddSendyKeyRing(new ConfigurationBuilder().Build());
        services.AddOptions<PublicLinkOptions>();
        services.AddSingleton<TrackingLinks>();
        services.AddSingleton<FleetRegistry>();
        await using var provider = services.BuildServiceProvider();
        var fleet = provider.GetRequiredService<FleetRegistry>();
        const string truckId = "T-NGINX";
        await fleet.EnsureTruckAsync(truckId, "Truck behind nginx", "서울 12가 3456", default);
        var driver = await fleet.CreateDriverAsync("Minsu Kim", truckId, default);
        var delivery = await fleet.CreateDeliveryAsync(truckId, driver.Entity.Id, "Jiwoo Park", DeliveryStatus.InTransit, default);
        return (truckId, driver.Token, delivery.Token);
    }
}
