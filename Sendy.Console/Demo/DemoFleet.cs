using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Integrations;
using Sendy.Engine.Storage;

namespace Sendy.Console.Demo;

/// <summary>
/// A demo fleet that behaves like drivers' phones: each truck drives an expressway, takes a fix
/// every second, and uploads its queue through the public ingest API with its own driver token.
/// </summary>
public sealed partial class DemoFleet(
    IOptions<DemoOptions> options,
    IOptions<PublicLinkOptions> links,
    FleetRegistry fleet,
    DemoDeliveries deliveries,
    ApiClientRegistry apiClients,
    IDbContextFactory<SendyDbContext> contexts,
    IHttpClientFactory httpClients,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DemoFleet> logger) : BackgroundService
{
    private static readonly string[] DriverNames =
    [
        "김민수", "이서준", "박지훈", "최현우", "정우진", "강도윤", "조성민", "윤재혁", "장태양", "임하늘", "한지성", "오승현",
        "서민재", "신동욱", "권혁진", "황보람", "안재원", "송유찬", "전기훈", "홍성호", "유승우", "고은수", "문준호", "양시우",
    ];

    private static readonly string[] PlateRegions = ["서울", "경기", "인천", "부산", "대전", "대구", "광주", "충남"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken);
        var baseUrl = links.Value.PublicBaseUrl.TrimEnd('/');
        List<DemoTruck> trucks;
        try
        {
            trucks = await SeedAsync(baseUrl, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSeedFailed(logger, ex);
            return;
        }
        LogDriving(logger, trucks.Count, baseUrl);

        var http = httpClients.CreateClient("demo");
        http.BaseAddress = new Uri(baseUrl);
        var tick = TimeSpan.FromSeconds(1);
        var uploadEvery = Math.Max(1, (int)Math.Round(options.Value.UploadInterval / tick));
        using var timer = new PeriodicTimer(tick, time);
        for (var n = 1; await timer.WaitForNextTickAsync(stoppingToken); n++)
        {
            var now = time.GetUtcNow();
            foreach (var truck in trucks) truck.TakeFix(now, tick);
            if (n % uploadEvery == 0)
                await Task.WhenAll(trucks.Select(t => t.UploadAsync(http, logger, stoppingToken)));
        }
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    private async Task<List<DemoTruck>> SeedAsync(string baseUrl, CancellationToken ct)
    {
        var trucks = new List<DemoTruck>();
        var routes = new List<(string, Guid, int, bool)>();
        var random = new Random(20261125);
        for (var i = 1; i <= options.Value.Trucks; i++)
        {
            var id = $"DEMO-{i:D2}";
            var plate = $"{PlateRegions[i % PlateRegions.Length]} {80 + i % 20}바 {random.Next(1000, 9999)}";
            await fleet.EnsureTruckAsync(id, $"Sendy {i:D2}", plate, ct);
            var driverName = DriverNames[(i - 1) % DriverNames.Length];
            await using var db = await contexts.CreateDbContextAsync(ct);
            var driverId = await db.Drivers.Where(d => d.TruckId == id).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct);
            // Tokens are stored hashed, so a demo run issues fresh ones to be able to print them.
            var token = driverId is { } existing
                ? await fleet.RotateDriverTokenAsync(existing, ct)
                : (await fleet.CreateDriverAsync(driverName, id, ct)).Token;
            driverId ??= await db.Drivers.Where(d => d.TruckId == id).Select(d => d.Id).FirstAsync(ct);
            var route = DemoRoutes.All[(i - 1) % DemoRoutes.All.Length];
            var walker = new RouteWalker(route, random.NextDouble(), reverse: i % 2 == 0);
            trucks.Add(new DemoTruck(id, driverId.Value, token, walker, 22 + random.NextDouble() * 6));
            routes.Add((id, driverId.Value, (i - 1) % DemoRoutes.All.Length, i % 2 == 0));
        }

        var trackingToken = await deliveries.EnsureAsync(routes, ct);
        var apiKey = await DemoApiKeyAsync(ct);
        await WriteLinksAsync(baseUrl, trackingToken, trucks[0], apiKey, ct);
        return trucks;
    }

    /// <summary>
    /// The demo booking system's key, every scope. Keys are stored hashed, so each demo run revokes
    /// the last run's client and creates it again to be able to print a key.
    /// </summary>
    private async Task<string> DemoApiKeyAsync(CancellationToken ct)
    {
        foreach (var old in (await apiClients.ListAsync(ct)).Where(c => c.Name == DemoApiClient && !c.IsRevoked))
            await apiClients.RevokeAsync(old.Id, "demo", ct);
        var (created, problems) = await apiClients.CreateAsync(DemoApiClient, ApiScopes.All, "demo", ct);
        return created?.Secret ?? throw new InvalidOperationException("the demo API client was refused: " + string.Join(", ", problems));
    }

    private const string DemoApiClient = "Demo booking system";

    private async Task WriteLinksAsync(string baseUrl, string trackingToken, DemoTruck driver, string apiKey, CancellationToken ct)
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Customer tracking link: {baseUrl}/t/{trackingToken}")
            .AppendLine(CultureInfo.InvariantCulture, $"Driver page ({driver.Id}): {baseUrl}/d/{driver.Token}")
            .AppendLine(CultureInfo.InvariantCulture, $"Driver token ({driver.Id}): {driver.Token}")
            .AppendLine(CultureInfo.InvariantCulture, $"API key ({DemoApiClient}, all scopes): {apiKey}")
            .ToString();
        if (options.Value.LinksFile is { Length: > 0 } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, text, ct);
        }
        LogLinksWritten(logger, options.Value.LinksFile ?? "(no file)");
    }

    private sealed class DemoTruck(string id, Guid driverId, string token, RouteWalker walker, double speedMps)
    {
        private const int MaxQueued = 300;
        private readonly List<object> _queue = [];

        public string Id => id;
        public Guid DriverId => driverId;
        public string Token => token;

        public void TakeFix(DateTimeOffset now, TimeSpan elapsed)
        {
            var speed = Math.Max(0, speedMps + (Random.Shared.NextDouble() - 0.5) * 3);
            var (lat, lon, heading) = walker.Advance(speed * elapsed.TotalSeconds);
            if (_queue.Count >= MaxQueued) _queue.RemoveAt(0);
            _queue.Add(new
            {
                lat = Math.Round(lat, 6), lon = Math.Round(lon, 6), recordedAt = now, speed = Math.Round(speed, 1),
                heading = Math.Round(heading, 1), accuracy = 5.0,
            });
        }

        public async Task UploadAsync(HttpClient http, ILogger logger, CancellationToken ct)
        {
            if (_queue.Count == 0) return;
            var batch = _queue.ToArray();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { fixes = batch }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode || (int)response.StatusCode is >= 400 and < 500)
                    _queue.RemoveRange(0, batch.Length); // accepted, or refused for good: a phone would not resend either
                if (!response.IsSuccessStatusCode) LogUploadRefused(logger, id, (int)response.StatusCode);
            }
            catch (HttpRequestException ex)
            {
                LogUploadFailed(logger, id, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo fleet: {Trucks} trucks driving, posting to {BaseUrl}/api/v1/positions")]
    private static partial void LogDriving(ILogger logger, int trucks, string baseUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo links written to {Path}")]
    private static partial void LogLinksWritten(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo fleet could not be seeded; it will not drive")]
    private static partial void LogSeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo truck {TruckId}: upload answered {Status}")]
    private static partial void LogUploadRefused(ILogger logger, string truckId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo truck {TruckId}: upload failed ({Reason}); keeping its queue")]
    private static partial void LogUploadFailed(ILogger logger, string truckId, string reason);
}
