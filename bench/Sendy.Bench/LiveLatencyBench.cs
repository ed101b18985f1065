using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// Figure 3: 2,000 trucks posting one fix a second each through the API; 1,000 per-truck and 5
/// all-trucks subscriptions on ILivePositionFeed (what the Blazor pages use). Latency = subscriber
/// callback time minus the time the client had its 202 (0 when the update came first).
/// </summary>
public sealed class LiveLatencyBench(BenchHost host, Report report)
{
    public int Trucks { get; init; } = 2_000;
    public int TruckSubscriptions { get; init; } = 1_000;
    public int AllSubscriptions { get; init; } = 5;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public int Concurrency { get; init; } = 64;

    public async Task RunAsync(CancellationToken ct)
    {
        var feed = host.Services.GetRequiredService<ILivePositionFeed>();
        var clock = Stopwatch.StartNew();
        // key: truck index * 1e6 + fix number -> times in Stopwatch ms
        var accepted = new ConcurrentDictionary<long, double>();
        var sentAt = new ConcurrentDictionary<long, double>();
        var deliveredTruck = new ConcurrentDictionary<long, double>();
        var deliveredAll = new ConcurrentBag<(long Key, double At)>();
        var index = host.Fleet.Take(Trucks).Select((f, i) => (f.TruckId, i)).ToDictionary(x => x.TruckId, x => x.i);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-1);
        long Key(TruckPosition p) => index[p.TruckId] * 1_000_000L + (long)Math.Round((p.RecordedAt - t0).TotalMilliseconds);

        var subscriptions = new List<IDisposable>();
        for (var i = 0; i < TruckSubscriptions; i++)
            subscriptions.Add(feed.SubscribeTruck(host.Fleet[i].TruckId, p =>
            {
                if (index.ContainsKey(p.TruckId)) deliveredTruck.TryAdd(Key(p), clock.Elapsed.TotalMilliseconds);
                return Task.CompletedTask;
            }));
        for (var i = 0; i < AllSubscriptions; i++)
            subscriptions.Add(feed.SubscribeAll(ps =>
            {
                var at = clock.Elapsed.TotalMilliseconds;
                foreach (var p in ps)
                    if (index.ContainsKey(p.TruckId)) deliveredAll.Add((Key(p), at));
                return Task.CompletedTask;
            }));

        Progress.Say($"live: {Trucks:N0} trucks x 1 fix/s through the API for {Duration.TotalSeconds:0} s; {TruckSubscriptions:N0} + {AllSubscriptions} subscriptions");
        using var http = host.NewClient(Concurrency);
        using var gate = new SemaphoreSlim(Concurrency);
        long sent = 0, failed = 0;
        var inflight = new List<Task>();
        var start = clock.Elapsed;
        var total = (int)(Trucks * Duration.TotalSeconds);
        var interval = 1000.0 / Trucks; // ms between two requests: each truck once a second
        for (var n = 0; n < total && !ct.IsCancellationRequested; n++)
        {
            var due = start.TotalMilliseconds + n * interval;
            var wait = due - clock.Elapsed.TotalMilliseconds;
            if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            await gate.WaitAsync(ct);
            var truckIndex = n % Trucks;
            var fixNo = n / Trucks;
            inflight.Add(Task.Run(async () =>
            {
                try
                {
                    var at = t0.AddSeconds(fixNo).AddMilliseconds(truckIndex % 1000);
                    var key = truckIndex * 1_000_000L + (long)Math.Round((at - t0).TotalMilliseconds);
                    var body = FixPoster.Body([(35.0 + truckIndex * 1e-3 + fixNo * 1e-5, 127.0 + fixNo * 1e-5, at)]);
                    sentAt[key] = clock.Elapsed.TotalMilliseconds;
                    var status = await FixPoster.PostAsync(http, host.Fleet[truckIndex].DriverToken, body, ct);
                    if (status == HttpStatusCode.Accepted) accepted[key] = clock.Elapsed.TotalMilliseconds;
                    else Interlocked.Increment(ref failed);
                    Interlocked.Increment(ref sent);
                }
                finally
                {
                    gate.Release();
                }
            }, ct));
        }
        await Task.WhenAll(inflight);
        var sendSeconds = (clock.Elapsed - start).TotalSeconds;
        await Task.Delay(2000, ct); // stragglers (and the consumer's second copies, which must be dropped)
        foreach (var s in subscriptions) s.Dispose();

        var truckLatencies = Latencies(deliveredTruck.Select(kv => (kv.Key, kv.Value)), accepted, out var truckEarly, out var truckMissing, TruckSubscriptions);
        var allLatencies = Latencies(deliveredAll, accepted, out _, out _, null);
        var fromSend = Latencies(deliveredTruck.Select(kv => (kv.Key, kv.Value)), sentAt, out _, out _, null);
        var achieved = sent / sendSeconds;
        var note = $"{sent:N0} fixes in {sendSeconds:0.0} s ({achieved:0} fixes/s achieved, {failed} not 202), {truckLatencies.Count:N0} per-truck deliveries, "
            + $"{truckEarly:N0} arrived before the client had its 202 (counted as 0 ms), {truckMissing:N0} accepted fixes of subscribed trucks never delivered (coalesced or lost)";
        report.Add(Figure.AtMost("live_latency_p50_ms", Percentiles.Of(truckLatencies, 50), "ms", 50, note));
        report.Add(Figure.Reference("live_latency_p95_ms", Percentiles.Of(truckLatencies, 95), "ms"));
        report.Add(Figure.AtMost("live_latency_p99_ms", Percentiles.Of(truckLatencies, 99), "ms", 150));
        report.Add(Figure.Reference("live_latency_from_request_sent_p99_ms", Percentiles.Of(fromSend, 99), "ms",
            $"the same deliveries measured from the moment the client sent the request (HTTP + validation + PutRecords to kinesalite + fan-out); p50 {Percentiles.Of(fromSend, 50):0.0} ms, p95 {Percentiles.Of(fromSend, 95):0.0} ms"));
        report.Add(Figure.Reference("live_latency_all_trucks_p99_ms", Percentiles.Of(allLatencies, 99), "ms",
            $"{AllSubscriptions} all-trucks subscriptions, {allLatencies.Count:N0} deliveries; p50 {Percentiles.Of(allLatencies, 50):0.0} ms"));
        report.Setting("live", new System.Text.Json.Nodes.JsonObject
        {
            ["trucks"] = Trucks, ["rate_per_truck_per_s"] = 1, ["truck_subscriptions"] = TruckSubscriptions,
            ["all_trucks_subscriptions"] = AllSubscriptions, ["duration_s"] = Duration.TotalSeconds, ["client_concurrency"] = Concurrency,
            ["fast_path"] = true, ["consumer_get_records_interval_ms"] = 200,
        });
    }

    private static List<double> Latencies(IEnumerable<(long Key, double At)> delivered, ConcurrentDictionary<long, double> accepted,
        out int early, out int missing, int? subscribedTrucks)
    {
        var list = new List<double>();
        var seen = new HashSet<long>();
        early = 0;
        foreach (var (key, at) in delivered)
        {
            if (!accepted.TryGetValue(key, out var ok) || !seen.Add(key)) continue;
            var latency = at - ok;
            if (latency < 0)
            {
                early++;
                latency = 0;
            }
            list.Add(latency);
        }
        missing = subscribedTrucks is { } n ? accepted.Keys.Count(k => k / 1_000_000L < n) - list.Count : 0;
        list.Sort();
        return list;
    }
}
