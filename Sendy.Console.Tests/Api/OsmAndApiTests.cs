using System.Globalization;
using System.Net;
using System.Text;
using Sendy.Console.Api;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Api;

/// <summary>Native tracker apps (OsmAnd protocol, Traccar Client) feed the same stream as the driver page.</summary>
public sealed class OsmAndApiTests(SendyAppFactory app) : IClassFixture<SendyAppFactory>
{
    private async Task<(string Truck, string Device)> RegisteredDeviceAsync()
    {
        var (truck, _, _) = await app.CreateTruckWithDeliveryAsync();
        var device = "osm-" + Guid.NewGuid().ToString("N")[..10];
        Assert.True(await app.Fleet.SetDeviceAsync(truck, device, default));
        return (truck, device);
    }

    private Task<(double Lat, double? Speed)> StoredAsync(string truck) =>
        Eventually.ReachesAsync(async () =>
            {
                var count = await app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck);
                if (count == 0) return (Lat: double.NaN, Speed: (double?)null);
                var lat = await app.Database.ScalarAsync<double>("SELECT ST_Y(location) FROM positions WHERE truck_id = $1", truck);
                var speed = await app.Database.ScalarAsync<object>("SELECT speed_mps FROM positions WHERE truck_id = $1", truck);
                return (Lat: lat, Speed: speed is double d ? d : (double?)null);
            },
            r => !double.IsNaN(r.Lat), "OsmAnd fix stored");

    [Fact]
    public async Task traccar_client_query_with_seconds_and_knots_moves_the_truck()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var ts = DateTimeOffset.UtcNow.AddSeconds(-3).ToUnixTimeSeconds();
        var response = await app.CreateClient().GetAsync(
            $"/osmand?id={device}&lat=35.1796&lon=129.0756&timestamp={ts}&speed=10&bearing=45&altitude=12&accuracy=6&batt=87");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (lat, speed) = await StoredAsync(truck);
        Assert.Equal(35.1796, lat, 6);
        Assert.Equal(5.14444, speed!.Value, 3); // 10 knots in m/s
    }

    [Fact]
    public async Task form_post_with_milliseconds_is_accepted()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var ms = DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var response = await app.CreateClient().PostAsync("/osmand", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id"] = device, ["lat"] = "37.4563", ["lon"] = "126.7052", ["timestamp"] = ms,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(37.4563, (await StoredAsync(truck)).Lat, 6);
    }

    [Fact]
    public async Task json_body_variant_with_iso_time_and_speed_in_meters_per_second()
    {
        var (truck, device) = await RegisteredDeviceAsync();
        var body = $$$"""
            {"location":{"timestamp":"{{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}}","coords":{"latitude":36.3504,"longitude":127.3845,
              "speed":12.5,"heading":180,"accuracy":4,"altitude":50},"battery":{"level":0.8,"is_charging":false}},"device_id":"{{{device}}}"}
            """;
        var response = await app.CreateClient().PostAsync("/osmand", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (lat, speed) = await StoredAsync(truck);
        Assert.Equal(36.3504, lat, 6);
        Assert.Equal(12.5, speed!.Value, 6);
    }

    [Fact]
    public async Task an_unknown_device_is_404_and_bad_input_is_400_naming_the_field()
    {
        var client = app.CreateClient();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/osmand?id=nobody&lat=1&lon=1&timestamp={ts}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/osmand?lat=1&lon=1&timestamp={ts}")).StatusCode);
        var (_, device) = await RegisteredDeviceAsync();
        var bad = await client.GetAsync($"/osmand?id={device}&lat=91&lon=1&timestamp={ts}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"lat\"", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/osmand?id={device}&lat=north&lon=1&timestamp={ts}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/osmand", new StringContent("{\"location\":", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Theory]
    [InlineData("1732492800", "2024-11-25T00:00:00+00:00")]
    [InlineData("1732492800123", "2024-11-25T00:00:00.123+00:00")]
    [InlineData("2024-11-25T09:00:00+09:00", "2024-11-25T00:00:00+00:00")]
    [InlineData("1732492800.5", "2024-11-25T00:00:00.5+00:00")]
    public void timestamps_in_seconds_milliseconds_or_iso(string input, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), OsmAndApi.Timestamp(input));
}
