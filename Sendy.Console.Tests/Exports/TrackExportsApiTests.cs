using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.IO;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Exports;
using Sendy.Engine.History;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Exports;

/// <summary>
/// The track exports end to end on the real PostgreSQL: a delivery's track and a truck's day as GPX
/// and CSV, read back point by point, across UTC midnight and the operations zone's day; bad
/// parameters are 400s, unknown ids 404s; each download is in the admin log with the admin who asked.
/// </summary>
public sealed class TrackExportsApiTests(TrackExportsApiTests.App app) : IClassFixture<TrackExportsApiTests.App>
{
    public const string AdminEmail = "exports-admin@test.local";
    public const string AdminPassword = "exports-admin-password";
    public const string AdminName = "Export Admin";

    public sealed class App : SendyAppFactory
    {
        protected override bool ConsumerEnabled => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", AdminEmail);
            builder.UseSetting("Sendy:Admin:Password", AdminPassword);
            builder.UseSetting("Sendy:Admin:DisplayName", AdminName);
            builder.UseSetting("Sendy:TimeZone", "Asia/Seoul");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
            builder.UseSetting("Sendy:Staff:SignInPerIpPermits", "100000");
            builder.UseSetting("Sendy:Staff:SignInPerUserPermits", "100000");
        }

        private Task<HttpClient>? _admin;

        /// <summary>One signed-in admin for the class's tests (sign-in has its own tests).</summary>
        public Task<HttpClient> AdminAsync() => _admin ??= SignInAsync();

        private async Task<HttpClient> SignInAsync()
        {
            var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, AdminEmail, AdminPassword)).StatusCode);
            return client;
        }
    }

    // UTC days of their own (the partition job works around today), each with its own partition.
    private static readonly DateOnly Day = new(2026, 10, 1);
    private static readonly DateTimeOffset Midnight = PositionPartitions.StartOf(Day.AddDays(1));

    private Task<HttpClient> AdminAsync() => app.AdminAsync();

    internal static async Task PartitionsAsync(TestDatabase db, params DateOnly[] days)
    {
        foreach (var day in days)
            await db.ExecuteAsync($"""
                CREATE TABLE IF NOT EXISTS {PositionPartitions.NameOf(day)} PARTITION OF positions
                FOR VALUES FROM ('{PositionPartitions.StartOf(day):O}') TO ('{PositionPartitions.StartOf(day.AddDays(1)):O}')
                """);
    }

    internal static Task FixAsync(TestDatabase db, string truck, DateTimeOffset at, double lat, double lon, string? flag = null) => db.ExecuteAsync("""
        INSERT INTO positions (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at, location,
                               speed_mps, heading_degrees, accuracy_meters, quality_flag)
        VALUES ('s', 'shard', $2::text, $1, $2, $2 + interval '1 second', now(), ST_SetSRID(ST_MakePoint($4, $3), 4326), 11.5, 45, 6, $5)
        """, truck, at, lat, lon, (object?)flag ?? DBNull.Value);

    /// <summary>A delivered delivery whose replay window is Midnight - 1 h to Midnight + 1 h, with fixes around and in it.</summary>
    private async Task<(Guid Delivery, string Truck, DateTimeOffset[] Inside)> DeliveredAcrossMidnightAsync()
    {
        await PartitionsAsync(app.Database, Day, Day.AddDays(1));
        var (truck, _, _, delivery, _) = await app.CreateAssignedDeliveryAsync(DeliveryStatus.Delivered);
        await app.Database.ExecuteAsync("UPDATE deliveries SET created_at = $2, picked_up_at = $3, delivered_at = $4, closed_at = $4 WHERE id = $1",
            delivery, Midnight.AddHours(-2), Midnight.AddHours(-1), Midnight.AddHours(1));
        DateTimeOffset[] inside = [Midnight.AddHours(-1), Midnight.AddSeconds(-0.5), Midnight, Midnight.AddMinutes(30), Midnight.AddHours(1)];
        for (var i = 0; i < inside.Length; i++)
            await FixAsync(app.Database, truck, inside[i], 37.5 + i * 0.001, 127 + i * 0.001);
        await FixAsync(app.Database, truck, Midnight.AddMinutes(10), 35.1, 129.0, flag: "jump: 1,200 km/h"); // flagged, inside
        await FixAsync(app.Database, truck, Midnight.AddHours(-1).AddSeconds(-1), 37.0, 127.0); // before pickup
        await FixAsync(app.Database, truck, Midnight.AddHours(1).AddSeconds(1), 38.0, 128.0); // after delivery
        return (delivery, truck, inside);
    }

    private async Task<(string Who, string? Name, string? Email)> AdminIdentityAsync() =>
        (await app.Database.ScalarAsync<string>("SELECT id FROM staff_users WHERE email = $1", AdminEmail), AdminName, AdminEmail);

    private Task<string> LogAsync(long id) => app.Database.ScalarAsync<string>("""
        SELECT concat_ws('|', actor_kind, actor_id, actor_name, actor_email, action, format, delivery_id, truck_id, day, rows, outcome, detail)
        FROM admin_log WHERE id = $1
        """, id);

    private Task<long> LastLogIdAsync() => app.Database.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM admin_log");

    [Fact]
    public async Task a_deliverys_track_as_gpx_has_every_good_fix_across_utc_midnight_and_is_logged_with_the_admin()
    {
        var (delivery, truck, inside) = await DeliveredAcrossMidnightAsync();
        var admin = await AdminAsync();

        var response = await admin.GetAsync($"/api/v1/admin/deliveries/{delivery}/track?format=gpx");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gpx+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"sendy-delivery-{delivery.ToString("N")[..8]}-track.gpx", response.Content.Headers.ContentDisposition?.FileNameStar);
        var gpx = GpxFile.Parse(await response.Content.ReadAsStringAsync(), new GpxReaderSettings());
        var points = Assert.Single(Assert.Single(gpx.Tracks).Segments).Waypoints;
        Assert.Equal(inside.Select(t => t.UtcDateTime), points.Select(p => p.TimestampUtc!.Value));
        for (var i = 0; i < inside.Length; i++)
        {
            Assert.Equal(37.5 + i * 0.001, points[i].Latitude.Value, 9);
            Assert.Equal(127 + i * 0.001, points[i].Longitude.Value, 9);
        }
        Assert.Contains(truck, gpx.Metadata.Name, StringComparison.Ordinal);

        var (id, name, email) = await AdminIdentityAsync();
        Assert.Equal($"Staff|{id}|{name}|{email}|DeliveryTrackExport|Gpx|{delivery}|{truck}|5|Completed", await LogAsync(await LastLogIdAsync()));
    }

    [Fact]
    public async Task a_deliverys_track_as_csv_keeps_the_flagged_fix_marked()
    {
        var (delivery, truck, inside) = await DeliveredAcrossMidnightAsync();
        var admin = await AdminAsync();

        var response = await admin.GetAsync($"/api/v1/admin/deliveries/{delivery}/track"); // CSV is the default

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = CsvText.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(TrackCsv.Header, rows[0]);
        var times = inside.Append(Midnight.AddMinutes(10)).Order().Select(TrackCsv.Time).ToList();
        Assert.Equal(times, rows.Skip(1).Select(r => r[1]));
        Assert.All(rows.Skip(1), r => Assert.Equal(truck, r[0]));
        var flagged = Assert.Single(rows, r => r[7] != "" && r != rows[0]);
        Assert.Equal(["35.1", "129", "jump: 1,200 km/h"], [flagged[2], flagged[3], flagged[7]]);
        Assert.Equal(["37.5", "127", "11.5", "45", "6", "", TrackCsv.Time(inside[0].AddSeconds(1))], rows[1][2..]);
        Assert.Equal("2026-10-01 23:59:59.5", rows[2][1]);
        Assert.EndsWith("|Csv|" + delivery + "|" + truck + "|6|Completed", await LogAsync(await LastLogIdAsync()));
    }

    [Fact]
    public async Task a_trucks_day_is_midnight_to_midnight_in_the_operations_zone()
    {
        // Seoul is UTC+9: its 2 October runs from 1 October 15:00 to 2 October 15:00 UTC, across UTC midnight.
        await PartitionsAsync(app.Database, Day, Day.AddDays(1));
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var start = new DateTimeOffset(2026, 10, 1, 15, 0, 0, TimeSpan.Zero);
        DateTimeOffset[] inside = [start, Midnight.AddSeconds(-1), Midnight.AddSeconds(1), start.AddDays(1).AddTicks(-10)];
        foreach (var at in inside) await FixAsync(app.Database, truck, at, 37.5, 127);
        await FixAsync(app.Database, truck, start.AddTicks(-10), 37.5, 127);
        await FixAsync(app.Database, truck, start.AddDays(1), 37.5, 127);
        var admin = await AdminAsync();

        var csv = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-10-02&format=CSV");
        var gpx = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-10-02&format=gpx");

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal($"sendy-truck-{truck}-2026-10-02.csv", csv.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(inside.Select(TrackCsv.Time), CsvText.Parse(await csv.Content.ReadAsByteArrayAsync()).Skip(1).Select(r => r[1]));
        var points = Assert.Single(Assert.Single(GpxFile.Parse(await gpx.Content.ReadAsStringAsync(), new GpxReaderSettings()).Tracks).Segments).Waypoints;
        Assert.Equal(inside.Select(t => t.UtcDateTime), points.Select(p => p.TimestampUtc!.Value));
        Assert.EndsWith($"|TruckDayTrackExport|Gpx|{truck}|2026-10-02|4|Completed", await LogAsync(await LastLogIdAsync()));
    }

    [Theory]
    [InlineData("day=2026-10-02&format=kml", "format")]
    [InlineData("format=gpx", "day")]
    [InlineData("day=", "day")]
    [InlineData("day=02.10.2026", "day")]
    [InlineData("day=2026-02-30", "day")]
    [InlineData("day=2026-10-02T00:00:00Z", "day")]
    [InlineData("day=1999-12-31", "day")]
    [InlineData("day=0001-01-01", "day")]
    [InlineData("day=9999-12-31", "day")]
    [InlineData("day=%00", "day")]
    public async Task bad_parameters_of_a_trucks_day_are_a_400_naming_them(string query, string field)
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var admin = await AdminAsync();
        var before = await LastLogIdAsync();

        var response = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await LastLogIdAsync()); // nothing exported, nothing logged
    }

    [Fact]
    public async Task tomorrow_in_the_operations_zone_is_refused_and_today_is_not()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var admin = await AdminAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);

        var tomorrow = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day={today.AddDays(1):yyyy-MM-dd}");
        var todays = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day={today:yyyy-MM-dd}");

        // Around Seoul's midnight the clock may move between the two reads; the answer for tomorrow still is never a file.
        Assert.Equal(HttpStatusCode.BadRequest, tomorrow.StatusCode);
        Assert.Equal(HttpStatusCode.OK, todays.StatusCode);
        Assert.Equal([TrackCsv.Header], CsvText.Parse(await todays.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task unknown_deliveries_and_trucks_are_404_and_a_delivery_without_a_truck_has_no_track()
    {
        var admin = await AdminAsync();
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var unassigned = Guid.NewGuid();
        await app.Database.ExecuteAsync(
            "INSERT INTO deliveries (id, tracking_token_hash, customer_name, status, created_at) VALUES ($1, $2, 'No Truck Co', 'Booked', now())",
            unassigned, Guid.NewGuid().ToByteArray());
        var before = await LastLogIdAsync();

        foreach (var path in new[]
                 {
                     $"/api/v1/admin/deliveries/{Guid.NewGuid()}/track", $"/api/v1/admin/deliveries/{unassigned}/track?format=gpx",
                     $"/api/v1/admin/trucks/NOPE-{truck}/track?day=2026-10-02", $"/api/v1/admin/trucks/{new string('x', 65)}/track?day=2026-10-02",
                     "/api/v1/admin/trucks/%E2%9C%93/track?day=2026-10-02",
                 })
        {
            var response = await admin.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Contains("never had a truck", await (await admin.GetAsync($"/api/v1/admin/deliveries/{unassigned}/track")).Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
        Assert.Equal(before, await LastLogIdAsync());
    }

    [Fact]
    public async Task the_log_exports_are_in_the_admin_log_with_their_filter_and_rows()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var admin = await AdminAsync();

        var deliveries = await admin.GetAsync($"/api/v1/admin/logs/deliveries/export?truck={truck}&sort=Customer");
        var deliveriesId = await LastLogIdAsync();
        var events = await admin.GetAsync($"/api/v1/admin/logs/status-events/export?truck={truck}");
        var eventsId = await LastLogIdAsync();

        Assert.Equal(HttpStatusCode.OK, deliveries.StatusCode);
        var rows = CsvText.Parse(await deliveries.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, rows.Count); // the header and the truck's one delivery
        var (id, name, email) = await AdminIdentityAsync();
        Assert.Equal($"Staff|{id}|{name}|{email}|DeliveriesLogExport|Csv|1|Completed|truck={truck}&sort=Customer", await LogAsync(deliveriesId));
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal($"StatusEventsLogExport|Csv|0|Completed|truck={truck}", (await LogAsync(eventsId)).Split('|', 5)[4]);
    }

    [Fact]
    public async Task an_export_is_logged_with_nothing_for_the_truck_when_the_truck_has_no_fixes()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var admin = await AdminAsync();

        var gpx = await admin.GetAsync($"/api/v1/admin/trucks/{truck}/track?day=2026-10-02&format=gpx");

        Assert.Empty(Assert.Single(Assert.Single(GpxFile.Parse(await gpx.Content.ReadAsStringAsync(), new GpxReaderSettings()).Tracks).Segments).Waypoints);
        Assert.EndsWith("|0|Completed", await LogAsync(await LastLogIdAsync()));
    }
}
