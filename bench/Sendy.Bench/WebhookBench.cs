using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Tests.Integrations;

namespace Sendy.Bench;

/// <summary>
/// Issue 17's webhook targets, with two real receivers on loopback (Kestrel, every signature
/// checked) subscribed to <c>delivery.status_changed</c>, and status changes made through the
/// status service (the API's own path) at 100 per second:
/// 1. healthy: the time from a status change (its event's time) to the healthy receiver having it, p99;
/// 2. outage: the second receiver answers 503 for <c>SENDY_BENCH_WEBHOOK_OUTAGE_S</c> seconds
///    (default 600, the 10 minutes) while changes go on, then recovers; changes go on for
///    another minute. The healthy receiver's p99 over the whole phase, how long the recovered one
///    took to have everything written during its outage, and whether it got each event exactly
///    once (by webhook-id) and in order per delivery.
/// </summary>
public sealed class WebhookBench(BenchHost host, Report report)
{
    public const double Rate = 100;
    public const double LatencyTarget = 1000;

    public async Task RunAsync(CancellationToken ct)
    {
        var outage = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_WEBHOOK_OUTAGE_S") ?? "600", CultureInfo.InvariantCulture));
        var healthyPhase = TimeSpan.FromSeconds(60);
        var warmUp = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_WEBHOOK_WARMUP_S") ?? "15", CultureInfo.InvariantCulture)); // first connections, JIT and pools, out of the figures
        var after = TimeSpan.FromSeconds(60);
        await using var healthy = await WebhookReceiver.StartAsync(() => DateTimeOffset.UtcNow);
        await using var flaky = await WebhookReceiver.StartAsync(() => DateTimeOffset.UtcNow);
        var (client, _) = await host.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("bench-hooks-" + Guid.NewGuid().ToString("N")[..8], [ApiScopes.WebhooksManage], "bench", ct);
        var endpoints = host.Services.GetRequiredService<WebhookEndpoints>();
        var a = (await endpoints.CreateAsync(client!.Client.Id, new(healthy.Url, [WebhookEventTypes.StatusChanged], "bench healthy"), "bench", ct))!;
        healthy.Secrets.Add(a.Secret);
        var b = (await endpoints.CreateAsync(client.Client.Id, new(flaky.Url, [WebhookEventTypes.StatusChanged], "bench flaky"), "bench", ct))!;
        flaky.Secrets.Add(b.Secret);

        // Six moves per delivery (Booked → … → Delivered): enough booked deliveries for every change of both phases.
        var changes = (int)((warmUp + healthyPhase + outage + after).TotalSeconds * Rate);
        var deliveries = await SeedAsync(changes / 6 + 1);
        Progress.Say($"webhooks: {deliveries.Count} deliveries, {Rate:0} changes/s; healthy {healthyPhase.TotalSeconds:0} s, then one receiver down {outage.TotalSeconds:0} s and {after.TotalSeconds:0} s more");
        var pacer = new Pacer(host.Services.GetRequiredService<DeliveryStatusService>(), deliveries);
        await using var watch = StallWatch.Start(healthy, host.Database);

        await pacer.RunAsync(warmUp, ct);
        var warm = pacer.Changed;
        var start = DateTimeOffset.UtcNow;
        await pacer.RunAsync(healthyPhase, ct);
        var phase1End = DateTimeOffset.UtcNow;
        await WaitAsync(() => healthy.Delivered.Count >= pacer.Changed, TimeSpan.FromSeconds(30), ct);
        var p1 = Latencies(healthy, start, phase1End);
        report.Add(Figure.AtMost("webhook_latency_p99_ms", Percentiles.Of(p1, 99), "ms", LatencyTarget,
            $"status change to the receiver having it, {pacer.Changed - warm} changes after {warmUp.TotalSeconds:0} s of warm-up ({pacer.Changed / pacer.Elapsed.TotalSeconds:0}/s of {Rate:0}/s asked), two endpoints; p50 {Percentiles.Of(p1, 50):0} ms"));

        flaky.Answer = _ => (503, "down for maintenance");
        var outageStart = DateTimeOffset.UtcNow;
        var changedBefore = pacer.Changed;
        await pacer.RunAsync(outage, ct);
        flaky.Answer = _ => (200, "ok");
        var recovered = DateTimeOffset.UtcNow;
        Progress.Say($"webhooks: the second receiver is back after {(recovered - outageStart).TotalSeconds:0} s");
        await pacer.RunAsync(after, ct);
        var phase2End = DateTimeOffset.UtcNow;
        var all = pacer.Changed;
        await WaitAsync(() => healthy.Delivered.Count >= all && flaky.Delivered.Count >= all, TimeSpan.FromMinutes(10), ct);

        var p2 = Latencies(healthy, outageStart, phase2End);
        report.Add(Figure.AtMost("webhook_latency_p99_during_outage_ms", Percentiles.Of(p2, 99), "ms", LatencyTarget,
            $"the healthy receiver while the other was down {outage.TotalSeconds:0} s and caught up; {all - changedBefore} changes; p50 {Percentiles.Of(p2, 50):0} ms"));
        var flakyGot = flaky.Delivered;
        var duringOutage = flakyGot.Where(r => r.Payload!.Data.OccurredAt >= outageStart && r.Payload.Data.OccurredAt < recovered).ToList();
        var caughtUp = duringOutage.Count == 0 ? 0 : (duringOutage.Max(r => r.At) - recovered).TotalSeconds;
        report.Add(Figure.Reference("webhook_outage_catchup_s", Math.Round(caughtUp, 1), "s",
            $"from the receiver's return until it had all {duringOutage.Count} events written during its {outage.TotalSeconds:0} s outage"));
        var written = await host.Database.ScalarAsync<long>("SELECT count(*) FROM webhook_messages WHERE endpoint_id = $1", b.Endpoint.Id);
        var missing = written - flakyGot.Count;
        var duplicates = flaky.Accepted.Count - flakyGot.Count;
        var outOfOrder = flakyGot.GroupBy(r => r.Payload!.Data.DeliveryId)
            .Count(g => g.Select(r => r.Payload!.Data.Sequence).Zip(g.Select(r => r.Payload!.Data.Sequence).Skip(1)).Any(p => p.Second <= p.First));
        var unsigned = flaky.Received.Count(r => !r.Verified) + healthy.Received.Count(r => !r.Verified);
        report.Add(Figure.Exactly("webhook_outage_missing", missing, "events", 0, $"{written} written for the recovered receiver, {flakyGot.Count} received (distinct webhook-id)"));
        report.Add(Figure.Exactly("webhook_outage_duplicates", duplicates, "events", 0, "accepted more than once (same webhook-id)"));
        report.Add(Figure.Exactly("webhook_outage_out_of_order", outOfOrder, "deliveries", 0, "deliveries whose events arrived out of sequence"));
        report.Add(Figure.Exactly("webhook_unsigned", unsigned, "requests", 0, "requests whose signature did not verify"));
        report.Add(Figure.Exactly("webhook_bench_failed_changes", pacer.Failed, "changes", 0, "status changes that failed (e.g. a deadlock) during the run"));
        Progress.Say($"webhooks: {flaky.Received.Count} requests to the recovered receiver ({flaky.Received.Count - flaky.Accepted.Count} refused during the outage)");
    }

    /// <summary>Status changes at <see cref="Rate"/> per second, round-robin over the deliveries, each delivery one move at a time.</summary>
    private sealed class Pacer(DeliveryStatusService statuses, IReadOnlyList<Guid> deliveries)
    {
        private static readonly DeliveryStatus[] Path =
            [DeliveryStatus.DriverAssigned, DeliveryStatus.EnRouteToPickup, DeliveryStatus.PickedUp, DeliveryStatus.InTransit, DeliveryStatus.Arrived, DeliveryStatus.Delivered];

        private int _next;
        private int _changed;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public int Changed => Volatile.Read(ref _changed);

        /// <summary>Time spent making changes, for the rate actually reached.</summary>
        public TimeSpan Elapsed { get; private set; }

        public async Task RunAsync(TimeSpan duration, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var pending = new List<Task>();
            using var inFlight = new SemaphoreSlim(32); // like a busy API: changes queue in front of it, not inside the database
            for (var i = 0; watch.Elapsed < duration && !ct.IsCancellationRequested; i++)
            {
                var due = TimeSpan.FromSeconds(i / Rate);
                if (due > watch.Elapsed) await Task.Delay(due - watch.Elapsed, ct);
                var n = _next++;
                var id = deliveries[n % deliveries.Count];
                var to = Path[n / deliveries.Count % Path.Length];
                await inFlight.WaitAsync(ct);
                pending.Add(Task.Run(async () =>
                {
                    try { await ChangeAsync(id, to, ct); }
                    finally { inFlight.Release(); }
                }, ct));
                if (pending.Count > 1000) { await Task.WhenAll(pending); pending.Clear(); }
            }
            await Task.WhenAll(pending);
            Elapsed += watch.Elapsed;
        }

        private async Task ChangeAsync(Guid id, DeliveryStatus to, CancellationToken ct)
        {
            try
            {
                var result = await statuses.ChangeAsync(new StatusChangeRequest(id, to, StatusActor.Dispatcher("bench"), $"bench-{to}"), ct);
                if (result.Outcome == StatusChangeOutcome.Changed) Interlocked.Increment(ref _changed);
                else Progress.Say($"webhooks: {id} → {to}: {result.Outcome}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _failed); // the API would answer 503; counted in the figures' notes
                Progress.Say($"webhooks: {id} → {to} failed: {ex.GetBaseException().Message}");
            }
        }
    }

    private async Task<IReadOnlyList<Guid>> SeedAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        var hashes = ids.Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        await host.Database.ExecuteAsync("""
            INSERT INTO deliveries (id, tracking_token_hash, customer_name, status, status_changed_at, created_at)
            SELECT d, h, 'Webhook bench', 'Booked', now(), now() FROM unnest($1::uuid[], $2::bytea[]) AS x(d, h)
            """, ids, hashes);
        return ids;
    }

    private static List<double> Latencies(WebhookReceiver receiver, DateTimeOffset from, DateTimeOffset to)
    {
        var measured = receiver.Delivered.Where(r => r.Payload!.Data.OccurredAt >= from && r.Payload.Data.OccurredAt < to)
            .Select(r => (Ms: (r.At - r.Payload!.Data.OccurredAt).TotalMilliseconds, At: (r.Payload.Data.OccurredAt - from).TotalSeconds)).ToList();
        // Where the slowest ones were, to tell a steady tail from a stall.
        Progress.Say("webhooks: slowest " + string.Join(", ", measured.OrderByDescending(x => x.Ms).Take(8).Select(x => $"{x.Ms:0} ms at +{x.At:0.0} s")));
        return [.. measured.Select(x => x.Ms).Order()];
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan patience, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (!done() && watch.Elapsed < patience) await Task.Delay(100, ct);
    }
}
