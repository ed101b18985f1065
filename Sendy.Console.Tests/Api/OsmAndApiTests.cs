using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Api;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Trackers;

namespace Sendy.Console.Tests.Api;

/// <summary>
/// Native tracker apps (OsmAnd protocol, Traccar Client) feed the same stream as the driver page, in
/// every request shape Traccar's decoder accepts; anything the app must not resend forever is 200.
/// </summary>
public sealed class OsmAndApiTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private sealed record Stored(double Lat, double Lon, double? Speed, double? Heading, double? Accuracy, DateTimeOffset RecordedAt);

    private async Task<(string Truck, string Device)> RegisteredDeviceAsync()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var device = await app.Fleet.IssueDeviceIdAsync(truck, default);
        return (truck, device!);
    }

    private Task<List<Stored>> StoredAsync(string truck, int count = 1) =>
        Eventually.ReachesAsync(() => ReadAsync(truck), rows => rows.Count >= count, "OsmAnd fix stored");

    private async Task<List<Stored>> ReadAsync(string truck)
    {
        await using var cmd = app.Database.DataSource.CreateCommand(
            "SELECT ST_Y(location), ST_X(location), speed_mps, heading_degrees, accuracy_meters, recorded_at FROM positions WHERE truck_id = $1 ORDER BY recorded_at");
        cmd.Parameters.Add(new() { Value = truck });
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<Stored>();
        while (await reader.ReadAsync())
            rows.Add(new Stored(reader.GetDouble(0), reader.GetDouble(1), reader.IsDBNull(2) ? null : reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        return rows;
    }

    private Task<long> RefusalsAsync(string truck) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM tracker_refusals WHERE truck_id = $1", truck);

    [Fact]
    public async Task traccar_client_query_with_seconds_and_knots_moves_the_truck()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var ts = DateTimeOffset.UtcNow.AddSeconds(-3).ToUnixTimeSeconds();
        var response = await app.CreateClient().GetAsync(
            $"/osmand?id={device}&lat=35.1796&lon=129.0756&timestamp={ts}&speed=10&bearing=45&altitude=12&accuracy=6&batt=87&hdop=0.9&is_moving=true&odd=x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await StoredAsync(truck));
        Assert.Equal(35.1796, stored.Lat, 6);
        Assert.Equal(5.14444, stored.Speed!.Value, 3); // 10 knots in m/s
        Assert.Equal((45.0, 6.0), (stored.Heading, stored.Accuracy));
    }

    [Fact]
    public async Task a_form_post_with_milliseconds_and_the_deviceid_spelling_is_accepted()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var ms = DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var response = await app.CreateClient().PostAsync("/osmand", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["deviceid"] = device, ["lat"] = "37.4563", ["lon"] = "126.7052", ["timestamp"] = ms,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(37.4563, Assert.Single(await StoredAsync(truck)).Lat, 6);
    }

    [Fact]
    public async Task a_chunked_plain_text_body_with_location_and_no_timestamp_is_stored_at_the_time_it_was_received()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var before = DateTimeOffset.UtcNow;
        var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes($"id={device}&location=37.5665,126.978&bearing=-1&speed=-1&accuracy=-1")));
        content.Headers.ContentType = new("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/osmand") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await StoredAsync(truck));
        Assert.Equal((37.5665, 126.978), (Math.Round(stored.Lat, 6), Math.Round(stored.Lon, 6)));
        Assert.Equal((null, null, null), (stored.Speed, stored.Heading, stored.Accuracy)); // -1: unknown
        Assert.InRange(stored.RecordedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task traccar_clients_json_with_minus_one_for_unknown_heading_speed_and_accuracy_is_stored_with_them_empty()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var body = $$$"""
            {"location":{"timestamp":"{{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}}","coords":{"latitude":36.3504,"longitude":127.3845,
              "speed":-1,"heading":-1,"accuracy":-1,"altitude":50},"is_moving":false,"odometer":0,"event":"motionchange",
              "battery":{"level":0.8,"is_charging":false},"activity":{"type":"still"},"extras":{}},"device_id":"{{{device}}}"}
            """;
        var response = await app.CreateClient().PostAsync("/osmand", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await StoredAsync(truck));
        Assert.Equal(36.3504, stored.Lat, 6);
        Assert.Equal((null, null, null), (stored.Speed, stored.Heading, stored.Accuracy));
        Assert.Equal(0, await RefusalsAsync(truck));
    }

    [Fact]
    public async Task a_json_batch_of_locations_with_speed_in_meters_per_second_is_stored_whole()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var t = DateTimeOffset.UtcNow.AddSeconds(-10);
        var body = $$$"""
            {"location":[{"timestamp":"{{{t:O}}}","coords":{"latitude":36.35,"longitude":127.38,"speed":12.5,"heading":180,"accuracy":4}},
                         {"timestamp":"{{{t.AddSeconds(5):O}}}","coords":{"latitude":36.36,"longitude":127.38,"speed":12.5,"heading":180,"accuracy":4}}],
             "device_id":"{{{device}}}"}
            """;
        var response = await app.CreateClient().PostAsync("/osmand", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await StoredAsync(truck, 2);
        Assert.Equal([36.35, 36.36], stored.Select(s => Math.Round(s.Lat, 6)));
        Assert.All(stored, s => Assert.Equal(12.5, s.Speed!.Value, 6));
    }

    [Fact]
    public async Task a_fix_that_cannot_be_stored_is_answered_200_and_kept_with_its_bytes_and_reason_for_the_admin()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var client = app.CreateClient();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        foreach (var query in new[] { $"lat=91&lon=1&timestamp={ts}", $"lat=north&lon=1&timestamp={ts}", $"lat=1&lon=1&valid=false", "batt=50" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/osmand?id={device}&{query}")).StatusCode);
        var json = await client.PostAsync("/osmand", new StringContent($$"""{"device_id":"{{device}}","location":""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);

        Assert.Equal(5, await RefusalsAsync(truck));
        var refusals = await app.Services.GetRequiredService<TrackerReports>().RecentRefusalsAsync(truck, 10, default);
        var reasons = refusals.Select(r => r.Reason).Reverse().ToList();
        Assert.Contains("lat", reasons[0]);
        Assert.Contains("lat is not a number", reasons[1]);
        Assert.Contains("invalid", reasons[2]);
        Assert.Contains("no location", reasons[3]);
        Assert.Contains("not valid JSON", reasons[4]);
        Assert.StartsWith("GET /osmand?id=[device-id]&lat=91", Encoding.UTF8.GetString(refusals[^1].Data));
        Assert.All(refusals, r => Assert.DoesNotContain(device, Encoding.UTF8.GetString(r.Data))); // the secret is stored only hashed
        var summary = (await app.Services.GetRequiredService<TrackerReports>().RefusalsSinceAsync(DateTimeOffset.UtcNow.AddHours(-1), default))[truck];
        Assert.Equal(5, summary.Count);
        Assert.Empty(await ReadAsync(truck));
    }

    [Fact]
    public async Task an_unknown_device_gets_exactly_the_answer_a_known_one_gets_stores_nothing_and_is_seen_by_admins()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var client = app.CreateClient();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var unknown = "nobody-" + Guid.NewGuid().ToString("N");

        var known = await client.GetAsync($"/osmand?id={device}&lat=35.1&lon=129&timestamp={ts}");
        var wrong = await client.GetAsync($"/osmand?id={unknown}&lat=35.1&lon=129&timestamp={ts}");
        var wrongAgain = await client.PostAsync("/osmand", new StringContent($$$"""{"device_id":"{{{unknown}}}","location":{}}""", Encoding.UTF8, "application/json"));

        foreach (var response in new[] { wrong, wrongAgain })
        {
            Assert.Equal(known.StatusCode, response.StatusCode);
            Assert.Equal(await known.Content.ReadAsByteArrayAsync(), await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(Headers(known), Headers(response));
        }
        var seen = await app.Services.GetRequiredService<TrackerReports>().UnknownSinceAsync(DateTimeOffset.UtcNow.AddHours(-1), 100, default);
        var sighting = Assert.Single(seen, s => s.IdHashPrefix == TrackerIds.HashPrefix(unknown));
        Assert.Equal(2, sighting.Count);
        Assert.DoesNotContain(seen, s => s.IdHashPrefix == TrackerIds.HashPrefix(device));
        Assert.Single(await StoredAsync(truck));
    }

    private static string Headers(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date").OrderBy(h => h.Key)
            .Select(h => h.Key + ": " + string.Join(",", h.Value)));

    [Fact]
    public async Task a_body_over_the_limit_is_413_declared_or_chunked()
    {
        var (_, device) = await RegisteredDeviceAsync();
        var big = $"id={device}&lat=1&lon=1&pad=" + new string('x', 300 * 1024);
        var client = app.CreateClient();

        var declared = await client.PostAsync("/osmand", new StringContent(big, Encoding.ASCII, "application/x-www-form-urlencoded"));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/osmand") { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(big))) };
        chunked.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        chunked.Headers.TransferEncodingChunked = true;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(chunked)).StatusCode);
    }

    [Theory]
    [InlineData("1732492800", "2024-11-25T00:00:00+00:00")]
    [InlineData("1732492800123", "2024-11-25T00:00:00.123+00:00")]
    [InlineData("2024-11-25T09:00:00+09:00", "2024-11-25T00:00:00+00:00")]
    [InlineData("2024-11-25T00:00:00", "2024-11-25T00:00:00+00:00")] // no offset: UTC, as Traccar reads it
    [InlineData("2024-11-25 00:00:00", "2024-11-25T00:00:00+00:00")]
    [InlineData("1732492800.5", "2024-11-25T00:00:00.5+00:00")]
    public void timestamps_in_seconds_milliseconds_or_iso(string input, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), OsmAndMessage.Timestamp(input));
}
