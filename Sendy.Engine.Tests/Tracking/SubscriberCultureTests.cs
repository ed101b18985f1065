using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

/// <summary>Live handlers run in the culture their subscriber had, not in the publisher's.</summary>
public sealed class SubscriberCultureTests
{
    private static readonly CultureInfo Korean = CultureInfo.GetCultureInfo("ko");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    [Fact]
    public async Task a_position_handler_runs_in_the_subscribers_culture()
    {
        var fanout = new LiveFanout(NullLogger<LiveFanout>.Instance);
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = await InCultureAsync(Korean, () => fanout.SubscribeTruck("A", _ =>
        {
            seen.TrySetResult(CultureInfo.CurrentUICulture.Name);
            return Task.CompletedTask;
        }));

        await InCultureAsync(English, () =>
        {
            fanout.Publish([new TruckPosition("A", 37, 127, DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch)]);
            return 0;
        });

        Assert.Equal("ko", await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task a_status_handler_runs_in_the_subscribers_culture_and_leaves_the_publishers_alone()
    {
        var fanout = new StatusFanout(NullLogger<StatusFanout>.Instance);
        var delivery = Guid.NewGuid();
        var one = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var all = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = await InCultureAsync(Korean, () => fanout.Subscribe(delivery, _ =>
        {
            one.TrySetResult(CultureInfo.CurrentUICulture.Name);
            return Task.CompletedTask;
        }));
        using var b = await InCultureAsync(English, () => fanout.SubscribeAll(_ =>
        {
            all.TrySetResult(CultureInfo.CurrentCulture.Name);
            return Task.CompletedTask;
        }));

        var publisher = await InCultureAsync(CultureInfo.GetCultureInfo("fr"), () =>
        {
            fanout.Publish(new DeliveryStatusChanged(delivery, null, AtPickup: true));
            return CultureInfo.CurrentUICulture.Name;
        });

        Assert.Equal("ko", await one.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("en", await all.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("fr", publisher);
    }

    /// <summary>Runs <paramref name="action"/> on a pool thread set to <paramref name="culture"/>, as a request of that language would.</summary>
    private static Task<T> InCultureAsync<T>(CultureInfo culture, Func<T> action) => Task.Run(() =>
    {
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        return action();
    });
}
