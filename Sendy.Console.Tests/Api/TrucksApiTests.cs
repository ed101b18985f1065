using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Trackers;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Api;

/// <summary>The admin's tracker id API: issue (shown once, with the set-up URL), legacy ids, removal; odd bodies are 4xx.</summary>
public sealed class TrucksApiTests(TrucksApiTests.App app, ITestOutputHelper output) : IClassFixture<TrucksApiTests.App>
{
    public sealed class App : SendyAppFactory
    {
        protected override bool ConsumerEnabled => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Admin:Email", "trucks-admin@test.local");
            builder.UseSetting("Sendy:Admin:Password", "trucks-admin-password");
            builder.UseSetting("Sendy:RateLimits:PerIpPermits", "100000");
        }
    }

    private async Task<HttpClient> AdminAsync()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await StaffLogin.PostAsync(client, "trucks-admin@test.local", "trucks-admin-password")).StatusCode);
        return client;
    }

    private async Task<string> TruckAsync() => (await app.CreateTruckWithDeliveryAsync()).TruckId;

    private TrackerDevices Devices => app.Services.GetRequiredService<TrackerDevices>();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task an_issued_id_comes_back_once_with_its_set_up_url_and_a_reissue_stops_it()
    {
        var admin = await AdminAsync();
        var truck = await TruckAsync();

        var first = JsonDocument.Parse(await (await admin.PostAsync($"/api/v1/trucks/{truck}/device", null)).Content.ReadAsStringAsync()).RootElement;
        var id = first.GetProperty("deviceId").GetString()!;
        Assert.Equal($"http://sendy.test/osmand?id={id}", first.GetProperty("setupUrl").GetString());
        Assert.False(first.GetProperty("legacy").GetBoolean());
        Assert.Equal(truck, await Devices.FindTruckAsync(id, default));

        var second = await admin.PostAsync($"/api/v1/trucks/{truck}/device", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Null(await Devices.FindTruckAsync(id, default));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/trucks/{truck}/device")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/trucks/NOPE-{truck}/device")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/trucks/NOPE-{truck}/device", null)).StatusCode);
    }

    [Fact]
    public async Task a_legacy_id_goes_in_legacyId_a_typed_deviceId_is_explained_and_a_taken_one_is_409()
    {
        var admin = await AdminAsync();
        var (holder, other) = (await TruckAsync(), await TruckAsync());
        var device = "123" + Random.Shared.Next(100_000, 999_999);

        var typed = await admin.PutAsync($"/api/v1/trucks/{holder}/device", Json($$"""{"deviceId":"{{device}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, typed.StatusCode);
        Assert.Contains("issued by Sendy", await typed.Content.ReadAsStringAsync());

        var legacy = await admin.PutAsync($"/api/v1/trucks/{holder}/device", Json($$"""{"legacyId":"{{device}}"}"""));
        Assert.Equal(HttpStatusCode.OK, legacy.StatusCode);
        Assert.True(JsonDocument.Parse(await legacy.Content.ReadAsStringAsync()).RootElement.GetProperty("legacy").GetBoolean());
        Assert.Equal(holder, await Devices.FindTruckAsync(device, default));

        var taken = await admin.PutAsync($"/api/v1/trucks/{other}/device", Json($$"""{"legacyId":"{{device}}"}"""));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains(holder, await taken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task odd_bodies_for_a_legacy_id_are_4xx_never_500()
    {
        var admin = await AdminAsync();
        var truck = await TruckAsync();
        string[] bodies =
        [
            "", "null", "[]", "{}", "{", "\"x\"", "{\"legacyId\":null}", "{\"legacyId\":\"\"}", "{\"legacyId\":\" \"}", "{\"legacyId\":1}",
            "{\"legacyId\":[\"a\"]}", "{\"legacyId\":\"a b\"}", "{\"legacyId\":\"tab\\t\"}", "{\"legacyId\":\"\\u0000\"}",
            "{\"legacyId\":\"" + new string('x', 129) + "\"}", "{\"legacyId\":\"" + new string('x', 5000) + "\"}", "{\"legacyId\":\"\ud83d\"}",
            "{\"legacyId\":\"한국\"}", "{\"deviceId\":\"x\",\"legacyId\":{}}",
        ];
        foreach (var body in bodies)
        {
            var code = (int)(await admin.PutAsync($"/api/v1/trucks/{truck}/device", Json(body))).StatusCode;
            Assert.True(code is 200 or 400 or 409 or 413, $"PUT device {body[..Math.Min(body.Length, 40)]} answered {code}");
        }
        output.WriteLine($"{bodies.Length} bodies, no 5xx");
    }
}
