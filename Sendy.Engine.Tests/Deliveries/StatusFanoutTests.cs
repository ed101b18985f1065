using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

public sealed class StatusFanoutTests
{
    [Fact]
    public async Task a_subscriber_gets_one_delivery_s_events_one_at_a_time_in_publish_order()
    {
        var fanout = new StatusFanout(NullLogger<StatusFanout>.Instance);
        var delivery = Guid.NewGuid();
        var seen = new List<DeliveryStatusChanged>();
        var running = 0;
        var overlapped = false;
        using var subscription = fanout.Subscribe(delivery, async change =>
        {
            if (Interlocked.Increment(ref running) > 1) overlapped = true;
            await Task.Yield(); // a handler that awaits (a page's InvokeAsync) lets the next event in, if anything runs it
            lock (seen) seen.Add(change);
            Interlocked.Decrement(ref running);
        });

        const int events = 200;
        var published = Enumerable.Range(0, events).Select(i => new DeliveryStatusChanged(delivery, null, AtPickup: i % 2 == 0)).ToArray();
        foreach (var change in published) fanout.Publish(change);

        await Eventually.ReachesAsync(() => Task.FromResult(Volatile.Read(ref running) == 0 && seen.Count == events), done => done, "every event handled");
        Assert.False(overlapped, "two events of one subscriber were handled at the same time");
        Assert.True(published.Zip(seen).All(pair => ReferenceEquals(pair.First, pair.Second)), "events were handled out of publish order");
    }
}
