using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetTopologySuite.Geometries;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Browser;

/// <summary>The console on its own real database, signed in as an admin, with a week of seeded deliveries.</summary>
public sealed class AdminLogsFixture : SendyAppFactory
{
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The delivery the test follows: delivered, with events, notifications and two hours of positions.</summary>
    public Guid Followed { get; } = Guid.NewGuid();

    public const string FollowedCustomer = "한빛 물류 (Hanbit Logistics)";

    protected override bool ConsumerEnabled => false;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await new AdminLogsSeed(Database, Followed, FollowedCustomer).WriteAsync();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    protected override async Task DisposeAllAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAllAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Sendy:Map:TileUrl", "/test-tiles/{z}/{x}/{y}.png"); // no network here: tiles 404
        builder.ConfigureTestServices(services =>
        {
            services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, _ => { });
            services.PostConfigure<Microsoft.AspNetCore.Authentication.AuthenticationOptions>(o =>
            {
                o.DefaultScheme = TestAuthHandler.SchemeName;
                o.DefaultAuthenticateScheme = TestAuthHandler.SchemeName;
                o.DefaultChallengeScheme = TestAuthHandler.SchemeName;
            });
        });
    }

    public Task<IBrowserContext> NewContextAsync(string locale) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = BaseAddress.ToString(),
        Locale = locale,
        ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
        ViewportSize = new ViewportSize { Width = 1280, Height = 940 }, // tall enough for the history page without scrolling
        AcceptDownloads = true,
    });
}

/// <summary>What an admin does: find a delivery in the logs, narrow, export, open its history and replay its route.</summary>
public sealed class AdminLogsBrowserTests(AdminLogsFixture app) : IClassFixture<AdminLogsFixture>
{
    [Fact]
    public async Task admin_finds_a_delivery_exports_it_and_replays_its_route()
    {
        await using var context = await app.NewContextAsync("en-US");
        var page = await context.NewPageAsync();
        await page.GotoAsync("admin/logs");
        var rows = page.Locator("[data-testid=deliveries-grid] tr.admin-logs-row");
        await Assertions.Expect(rows).ToHaveCountAsync(AdminLogsSeed.DeliveryCount);
        await Assertions.Expect(rows.First).ToContainTextAsync(AdminLogsSeed.NewestCustomer); // newest first
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("admin-logs.png") });

        await page.Locator("input[data-testid=filter-delivery]").FillAsync("hanbit");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(AdminLogsFixture.FollowedCustomer);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-csv]").ClickAsync());
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var csv = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length); // the header and the one matching delivery, not the whole log
        Assert.StartsWith($"{app.Followed},", csv[1]);
        Assert.Contains($",{AdminLogsFixture.FollowedCustomer},truck-01,Truck 01,김민수,Delivered,", csv[1]);
        Assert.EndsWith(".csv", download.SuggestedFilename);

        await rows.First.Locator("td").First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/admin/deliveries/{app.Followed}$"));
        await Assertions.Expect(page.Locator("[data-testid=timeline-event]")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("[data-testid=notification-row]")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=notification-row][data-sent=false]")).ToContainTextAsync("Queued");
        await Assertions.Expect(page.Locator("[data-testid=route-count]")).ToContainTextAsync("721 recorded positions");

        var map = page.Locator("[data-testid=replay-map]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-map-ready", "true");
        var toggle = page.Locator("[data-testid=replay-toggle]");
        await Assertions.Expect(toggle).ToBeEnabledAsync();
        var startLat = await map.GetAttributeAsync("data-marker-lat");
        await page.Locator("[data-testid=replay-speeds] .mud-toggle-item").Nth(3).ClickAsync(); // 300×: two hours in 24 s
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-playing", "true");
        await Assertions.Expect(map).Not.ToHaveAttributeAsync("data-marker-lat", startLat!);
        var movedLat = double.Parse((await map.GetAttributeAsync("data-marker-lat"))!, CultureInfo.InvariantCulture);
        Assert.InRange(movedLat, AdminLogsSeed.To.Lat, AdminLogsSeed.From.Lat); // along the route, heading south
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-playing", "false");

        await SeekAsync(page, 0.55);
        await Assertions.Expect(page.Locator("[data-testid=replay-clock]")).Not.ToBeEmptyAsync();
        // The marker points the way the truck heads (150°, south-south-east).
        var transform = await page.Locator(".replay-truck .sendy-truck").EvaluateAsync<string>("e => getComputedStyle(e).transform");
        Assert.StartsWith("matrix(-0.866", transform);
        await ScreenshotAsync(page, "admin-delivery-history.png");

        // Every fix, not the thinned route: the GPX has all 721, in time order.
        var track = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-track-gpx]").ClickAsync());
        var gpx = NetTopologySuite.IO.GpxFile.Parse(await File.ReadAllTextAsync((await track.PathAsync())!), new NetTopologySuite.IO.GpxReaderSettings());
        var points = Assert.Single(Assert.Single(gpx.Tracks).Segments).Waypoints;
        Assert.Equal(721, points.Count);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.First.TimestampUtc < p.Second.TimestampUtc));
        Assert.EndsWith(".gpx", track.SuggestedFilename);

        // Both downloads are in the admin log, newest first, with who asked.
        await page.GotoAsync("admin/logs");
        await Assertions.Expect(rows).ToHaveCountAsync(AdminLogsSeed.DeliveryCount); // the grid loads once the page is interactive
        await page.Locator(".mud-tab").Nth(2).ClickAsync();
        var logged = page.Locator("[data-testid=admin-log-grid] tbody tr");
        await Assertions.Expect(logged.First.Locator("[data-testid=admin-log-action]")).ToHaveAttributeAsync("data-action", "DeliveryTrackExport");
        await Assertions.Expect(logged.First.Locator("[data-testid=admin-log-rows]")).ToHaveTextAsync("721");
        await Assertions.Expect(logged.First.Locator("[data-testid=admin-log-outcome]")).ToHaveAttributeAsync("data-outcome", "Completed");
        await Assertions.Expect(logged.First.Locator("[data-testid=admin-log-who]")).ToContainTextAsync("dispatcher@test.local");
        await Assertions.Expect(logged.Nth(1).Locator("[data-testid=admin-log-action]")).ToHaveAttributeAsync("data-action", "DeliveriesLogExport");
        await Assertions.Expect(logged.Nth(1)).ToContainTextAsync("delivery=hanbit");
        await ScreenshotAsync(page, "admin-log.png");
    }

    [Fact]
    public async Task korean_pages()
    {
        await using var context = await app.NewContextAsync("ko-KR");
        var page = await context.NewPageAsync();
        await page.GotoAsync("admin/logs");
        await Assertions.Expect(page.Locator("[data-testid=logs-page] h1")).ToHaveTextAsync("배송 기록");
        await Assertions.Expect(page.Locator("[data-testid=deliveries-grid] tr.admin-logs-row")).ToHaveCountAsync(AdminLogsSeed.DeliveryCount);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot("admin-logs-ko.png") });

        await page.GotoAsync($"admin/deliveries/{app.Followed}");
        await Assertions.Expect(page.Locator("[data-testid=replay-map]")).ToHaveAttributeAsync("data-map-ready", "true");
        await Assertions.Expect(page.Locator("[data-testid=history-timeline]")).ToContainTextAsync("상태 타임라인");
        await Assertions.Expect(page.Locator("[data-testid=replay-toggle]")).ToBeEnabledAsync();
        await SeekAsync(page, 0.55);
        await ScreenshotAsync(page, "admin-delivery-history-ko.png");

        await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-track-csv]").ClickAsync());
        await page.GotoAsync("admin/logs");
        await Assertions.Expect(page.Locator("[data-testid=deliveries-grid] tr.admin-logs-row")).ToHaveCountAsync(AdminLogsSeed.DeliveryCount);
        await page.Locator(".mud-tab").Nth(2).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=admin-log-grid] tbody tr").First).ToContainTextAsync("배송 경로");
        await ScreenshotAsync(page, "admin-log-ko.png");

        await page.GotoAsync($"admin/deliveries/{Guid.NewGuid()}");
        await Assertions.Expect(page.Locator("[data-testid=history-not-found]")).ToContainTextAsync("해당 ID의 배송이 없습니다");
    }

    /// <summary>The page from the top, without the slider's focus ring.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("document.activeElement?.blur(); window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepoPaths.Screenshot(name) });
    }

    /// <summary>Drags the slider as a person would (an input event at the given fraction).</summary>
    private static async Task SeekAsync(IPage page, double fraction)
    {
        var map = page.Locator("[data-testid=replay-map]");
        var before = await map.GetAttributeAsync("data-replay-time");
        await page.Locator("[data-testid=replay-slider]").FillAsync(((int)(fraction * 1000)).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(map).Not.ToHaveAttributeAsync("data-replay-time", before ?? "");
    }
}

/// <summary>Trucks, drivers and a few days of deliveries; one followed delivery with its full story.</summary>
internal sealed class AdminLogsSeed(Sendy.Engine.Tests.Infrastructure.TestDatabase db, Guid followed, string followedCustomer)
{
    public const int DeliveryCount = 9;
    public const string NewestCustomer = "Daehan Cold Chain";
    public static readonly (double Lat, double Lng) From = (37.4602, 126.4407); // Incheon airport cargo terminal
    public static readonly (double Lat, double Lng) To = (36.9705, 126.8317); // Pyeongtaek port

    public async Task WriteAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        await using var ctx = db.CreateContext();
        string[] trucks = ["서울 12가 3456", "경기 81바 1234", "인천 34다 7788", "부산 56라 9012"];
        var drivers = new[] { "김민수", "Lee Jiwoo", "박서연", "Choi Hyun" };
        var driverIds = new Guid[trucks.Length];
        for (var i = 0; i < trucks.Length; i++)
        {
            ctx.Trucks.Add(new Truck { Id = $"truck-{i + 1:00}", Name = $"Truck {i + 1:00}", Plate = trucks[i], CreatedAt = day.AddDays(-30) });
            driverIds[i] = Guid.NewGuid();
            ctx.Drivers.Add(new Sendy.Engine.Storage.Driver { Id = driverIds[i], Name = drivers[i], TruckId = $"truck-{i + 1:00}", TokenHash = Guid.NewGuid().ToByteArray(), CreatedAt = day.AddDays(-30) });
        }
        await ctx.SaveChangesAsync();

        // The followed delivery: assigned 4 h ago, picked up, two hours on the road, delivered 1 h ago.
        var assigned = now.AddHours(-4);
        var start = now.AddHours(-3);
        var end = start.AddHours(2);
        ctx.Deliveries.Add(Delivery(followed, followedCustomer, 0, driverIds[0], DeliveryStatus.Delivered, assigned.AddMinutes(-20), start, end));
        (string Customer, int Truck, DeliveryStatus Status, double HoursAgo)[] others =
        [
            (NewestCustomer, 1, DeliveryStatus.EnRouteToPickup, 0.5), ("ACME Logistics", 2, DeliveryStatus.InTransit, 2), ("Seoul Fresh Market", 3, DeliveryStatus.Arrived, 6),
            ("동해 수산", 1, DeliveryStatus.Cancelled, 26), ("Mirae Electronics", 2, DeliveryStatus.Delivered, 30), ("가온 가구", 3, DeliveryStatus.Failed, 50),
            ("Jeju Citrus Co.", 0, DeliveryStatus.Delivered, 75), ("Booked Without Truck", -1, DeliveryStatus.Booked, 1),
        ];
        foreach (var (customer, truck, status, hoursAgo) in others)
        {
            var created = now.AddHours(-hoursAgo);
            var closed = status is DeliveryStatus.Delivered or DeliveryStatus.Cancelled or DeliveryStatus.Failed;
            var d = Delivery(Guid.NewGuid(), customer, truck, truck < 0 ? null : driverIds[truck], status, created,
                status >= DeliveryStatus.PickedUp && status != DeliveryStatus.Cancelled ? created.AddMinutes(40) : null,
                status == DeliveryStatus.Delivered ? created.AddHours(3) : null);
            if (closed) d.ClosedAt = created.AddHours(3);
            if (status == DeliveryStatus.Failed) d.FailureReason = "수령인 부재";
            ctx.Deliveries.Add(d);
        }
        await ctx.SaveChangesAsync();

        var kim = driverIds[0].ToString();
        var events = new[]
        {
            Event(DeliveryStatus.Booked, DeliveryStatus.DriverAssigned, StatusActorKind.Dispatcher, "dispatcher@sendy.local", assigned),
            Event(DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, StatusActorKind.Driver, kim, assigned.AddMinutes(10)),
            Event(DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, StatusActorKind.Driver, kim, start, note: "3번 게이트에서 상차"),
            Event(DeliveryStatus.PickedUp, DeliveryStatus.Arrived, StatusActorKind.System, "geofence", end.AddMinutes(-5)),
            Event(DeliveryStatus.Arrived, DeliveryStatus.Delivered, StatusActorKind.Driver, kim, end),
        };
        ctx.StatusEvents.AddRange(events);
        await ctx.SaveChangesAsync();
        var email = new OutboxMessage { StatusEventId = events[2].Id, DeliveryId = followed, Channel = "email", CreatedAt = start, EnqueuedAt = start, JobId = "41" };
        var sms = new OutboxMessage { StatusEventId = events[2].Id, DeliveryId = followed, Channel = "sms", CreatedAt = start, EnqueuedAt = start, JobId = "42" };
        // Handed to a job that has not sent yet: shown as queued (Hangfire does not know job 43, so it stays that way).
        var queued = new OutboxMessage { StatusEventId = events[4].Id, DeliveryId = followed, Channel = "email", CreatedAt = end, EnqueuedAt = end, JobId = "43" };
        ctx.Outbox.AddRange(email, sms, queued);
        await ctx.SaveChangesAsync();
        ctx.NotificationsSent.AddRange(
            new NotificationSent { OutboxId = email.Id, Channel = "email", SentAt = start.AddSeconds(2), Result = "<3f2a9c1e@sendy.local>" },
            new NotificationSent { OutboxId = sms.Id, Channel = "sms", SentAt = start.AddSeconds(3), Result = "sms-7c1d2e" });
        await ctx.SaveChangesAsync();

        // Two hours at one fix every 10 s along a gently curving road from Incheon to Pyeongtaek (721 fixes).
        await db.ExecuteAsync("""
            INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees)
            SELECT 's', 'shard-0', g::text, 'truck-01', $1 + g * interval '10 seconds', $1 + g * interval '10 seconds', now(),
                   ST_SetSRID(ST_MakePoint($4 + ($5 - $4) * g / 720.0 + 0.05 * sin(pi() * g / 720.0 * 3),
                                           $2 + ($3 - $2) * g / 720.0), 4326), 19, 150
            FROM generate_series(0, 720) g
            """, start, From.Lat, To.Lat, From.Lng, To.Lng);

        DeliveryStatusEvent Event(DeliveryStatus from, DeliveryStatus to, StatusActorKind kind, string actor, DateTimeOffset at, string? note = null) => new()
        {
            Id = Guid.NewGuid(), DeliveryId = followed, FromStatus = from, ToStatus = to, ActorKind = kind, ActorId = actor, OccurredAt = at, Note = note,
            IdempotencyKey = Guid.NewGuid().ToString(),
        };
    }

    private static Delivery Delivery(Guid id, string customer, int truck, Guid? driver, DeliveryStatus status, DateTimeOffset created,
        DateTimeOffset? pickedUp, DateTimeOffset? delivered) => new()
        {
            Id = id, TrackingTokenHash = id.ToByteArray(), CustomerName = customer, TruckId = truck < 0 ? null : $"truck-{truck + 1:00}", DriverId = driver,
            Status = status, CreatedAt = created, StatusChangedAt = created, PickedUpAt = pickedUp, DeliveredAt = delivered, ClosedAt = delivered,
            PickupAddress = "인천 중구 공항동로 296번길 (인천공항 화물터미널)", PickupLocation = new Point(From.Lng, From.Lat) { SRID = 4326 },
            DropoffAddress = "경기 평택시 포승읍 평택항로 (평택항 동부두)", DropoffLocation = new Point(To.Lng, To.Lat) { SRID = 4326 },
            PromisedTo = created.AddHours(3), EstimatedArrivalAt = delivered is null ? created.AddHours(3).AddMinutes(12) : null,
            Locale = "ko",
        };
}
