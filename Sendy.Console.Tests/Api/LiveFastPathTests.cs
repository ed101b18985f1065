using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Api;

/// <summary>The console with no consumer: anything a live view gets came through the fast path.</summary>
public sealed class NoConsumerAppFactory : SendyAppFactory
{
    protected override bool ConsumerEnabled => false;
}

/// <summary>The same with the fast path switched off.</summary>
public sealed class NoFastPathAppFactory : SendyAppFactory
{
    protected override bool ConsumerEnabled => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Sendy:Live:FastPath", "false");
    }
}

internal static class FastPathClient
{
    public static async Task<HttpStatusCode> PostFixAsync(SendyAppFactory app, string driverToken, double lat)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $$"""{"fixes":[{"lat":{{lat}},"lon":127.0,"recordedAt":"{{DateTimeOffset.UtcNow.AddSeconds(-1):O}}"}]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/positions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", driverToken);
        using var response = await app.CreateClient().SendAsync(request);
        return response.StatusCode;
    }

    public static IDisposable Subscribe(SendyAppFactory app, string truckId, List<TruckPosition> seen) =>
        app.Services.GetRequiredService<ILivePositionFeed>().SubscribeTruck(truckId, p =>
        {
            lock (seen) seen.Add(p);
            return Task.CompletedTask;
        });

    /// <summary>
    /// Asserts that no fix reached the truck's subscription before this call, without waiting to see.
    /// The fast path publishes before the API answers, and publishing is where a subscription takes
    /// a fix, synchronously; a subscription then drops any fix not newer than the newest it took. So
    /// a sentinel older than the posted fix, published now, is delivered, and delivered alone, only
    /// if the posted fix never reached the subscription.
    /// </summary>
    public static async Task AssertNothingDeliveredAsync(SendyAppFactory app, string truckId, List<TruckPosition> seen)
    {
        var sentinel = new TruckPosition(truckId, 1, 1, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        app.Services.GetRequiredService<ILivePositionPublisher>().Publish([sentinel]);
        await Eventually.ReachesAsync(() => Task.FromResult(Count(seen)), n => n >= 1, "a delivery to the subscription", 10);
        lock (seen) Assert.Equal(sentinel, Assert.Single(seen));
    }

    public static int Count(List<TruckPosition> seen)
    {
        lock (seen) return seen.Count;
    }
}

public sealed class LiveFastPathTests(NoConsumerAppFactory app) : IClassFixture<NoConsumerAppFactory>
{
    [Fact]
    public async Task a_live_view_sees_an_acknowledged_fix_before_any_consumer_stored_it()
    {
        var (truck, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        var seen = new List<TruckPosition>();
        using var _ = FastPathClient.Subscribe(app, truck, seen);

        Assert.Equal(HttpStatusCode.Accepted, await FastPathClient.PostFixAsync(app, driverToken, 37.4242));

        await Eventually.ReachesAsync(() => Task.FromResult(FastPathClient.Count(seen)), n => n >= 1, "fast-path delivery", 10);
        lock (seen) Assert.Equal(37.4242, Assert.Single(seen).Latitude);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM positions WHERE truck_id = $1", truck));
    }
}

public sealed class LiveFastPathRefusedTests(StreamDownAppFactory app) : IClassFixture<StreamDownAppFactory>
{
    [Fact]
    public async Task a_fix_the_stream_refused_never_reaches_a_live_view()
    {
        var (truck, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        var seen = new List<TruckPosition>();
        using var _ = FastPathClient.Subscribe(app, truck, seen);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await FastPathClient.PostFixAsync(app, driverToken, 37.5));

        await FastPathClient.AssertNothingDeliveredAsync(app, truck, seen);
    }
}

public sealed class LiveFastPathSwitchTests(NoFastPathAppFactory app) : IClassFixture<NoFastPathAppFactory>
{
    [Fact]
    public async Task with_the_fast_path_off_a_live_view_waits_for_the_consumer()
    {
        var (truck, driverToken, _) = await app.CreateTruckWithDeliveryAsync();
        var seen = new List<TruckPosition>();
        using var _ = FastPathClient.Subscribe(app, truck, seen);

        Assert.Equal(HttpStatusCode.Accepted, await FastPathClient.PostFixAsync(app, driverToken, 37.6));

        await FastPathClient.AssertNothingDeliveredAsync(app, truck, seen); // no consumer runs here, so nothing may arrive
    }
}
