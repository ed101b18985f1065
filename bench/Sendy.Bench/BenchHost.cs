using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sendy.Engine.Security;

namespace Sendy.Bench;

/// <summary>
/// The whole console in this process on Kestrel (loopback, real HTTP), on its own database and its
/// own kinesalite stream, with production settings: consumer polling every 200 ms, live fast path
/// and cross-node relay on. In-process so live subscriptions and GC figures are at hand.
/// </summary>
public sealed class BenchHost : WebApplicationFactory<Program>
{
    public const string AdminEmail = "bench-admin@sendy.local";
    public const string AdminPassword = "bench-admin-password";

    private readonly BenchDatabase _db;
    private readonly string _kinesis;

    private BenchHost(BenchDatabase db, string kinesis)
    {
        _db = db;
        _kinesis = kinesis;
    }

    public BenchDatabase Database => _db;

    public string StreamName { get; } = "bench-" + Guid.NewGuid().ToString("N")[..8];

    public int ShardCount { get; } = 4;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Per truck index: truck id, driver token, tracking token.</summary>
    public List<(string TruckId, string DriverToken, string TrackingToken)> Fleet { get; } = [];

    public static async Task<BenchHost> StartAsync(string templatePg, string kinesis, int trucks, CancellationToken ct)
    {
        var db = await BenchDatabase.CreateAsync(templatePg, "live");
        var host = new BenchHost(db, kinesis);
        await host.SeedAsync(trucks);
        host.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        for (var i = 0; ; i++)
        {
            try
            {
                if ((await http.GetAsync("health/ready", ct)).StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException)
            {
            }
            if (i > 300) throw new TimeoutException("the console did not become ready");
            await Task.Delay(200, ct);
        }
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Development: static web assets of a referenced (unpublished) project are served only there.
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Sendy", _db.ConnectionString);
        builder.UseSetting("Sendy:Stream:Endpoint", _kinesis);
        builder.UseSetting("Sendy:Stream:StreamName", StreamName);
        builder.UseSetting("Sendy:Stream:ShardCount", ShardCount.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Sendy:Stream:CreateIfMissing", "true");
        builder.UseSetting("Sendy:Demo:Enabled", "false");
        builder.UseSetting("Sendy:Webhooks:AllowedHosts:0", "127.0.0.1"); // the webhook bench's receivers
        // Every request comes from one loopback address: per-IP limits would measure the limiter.
        builder.UseSetting("Sendy:RateLimits:Enabled", "false");
        // The dispatcher map needs a signed-in staff member: the benchmark signs in as the first admin.
        builder.UseSetting("Sendy:Admin:Email", AdminEmail);
        builder.UseSetting("Sendy:Admin:Password", AdminPassword);
        builder.UseSetting("Sendy:Map:TileUrl", "/bench-tiles/{z}/{x}/{y}.png"); // no network: tiles 404
        // stdout is the JSON document: the console's own logs go to stderr, warnings and up only.
        builder.ConfigureLogging(l =>
        {
            l.ClearProviders();
            l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            l.AddFilter((_, level) => level >= LogLevel.Warning);
        });
    }

    private async Task SeedAsync(int trucks)
    {
        var ids = new string[trucks];
        var drivers = new Guid[trucks];
        var driverHashes = new byte[trucks][];
        var deliveries = new Guid[trucks];
        var trackingHashes = new byte[trucks][];
        for (var i = 0; i < trucks; i++)
        {
            var driverToken = AccessTokens.Create();
            var trackingToken = AccessTokens.Create();
            ids[i] = $"B-{i:D5}";
            drivers[i] = Guid.NewGuid();
            deliveries[i] = Guid.NewGuid();
            driverHashes[i] = AccessTokens.Hash(driverToken);
            trackingHashes[i] = AccessTokens.Hash(trackingToken);
            Fleet.Add((ids[i], driverToken, trackingToken));
        }
        await _db.ExecuteAsync("INSERT INTO trucks (id, name, plate, created_at) SELECT id, 'Truck ' || id, '12가' || right(id, 4), now() FROM unnest($1::text[]) AS t(id)",
            new object[] { ids });
        await _db.ExecuteAsync("""
            INSERT INTO drivers (id, name, truck_id, token_hash, created_at)
            SELECT d, 'Driver ' || t, t, h, now() FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS x(d, t, h)
            """, drivers, ids, driverHashes);
        await _db.ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, truck_id, driver_id, customer_name, status, created_at)
            SELECT d, h, t, dr, 'Customer ' || t, 'InTransit', now() FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::uuid[]) AS x(d, h, t, dr)
            """, deliveries, trackingHashes, ids, drivers);
    }

    public HttpClient NewClient(int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
            // Seen once after every figure was taken: the host's graceful stop ran past its timeout.
            // The figures are already measured; the process exits next and takes the rest down.
            Progress.Say("console host: graceful stop timed out; the figures above are complete");
        }
        await _db.DisposeAsync();
    }
}
