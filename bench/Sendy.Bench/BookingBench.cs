using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Integrations;

namespace Sendy.Bench;

/// <summary>
/// Issue 17's booking target: deliveries booked per second through POST /api/v1/deliveries with an
/// API client's key, each with its own Idempotency-Key and externalReference (the full path: key
/// check, validation, shipper read, the delivery, its idempotency record, the Booked status event
/// and outbox row, the answer with its decrypted tracking link).
/// </summary>
public sealed class BookingBench(BenchHost host, Report report)
{
    public const double Target = 500;

    public async Task RunAsync(CancellationToken ct)
    {
        var (created, _) = await host.Services.GetRequiredService<ApiClientRegistry>()
            .CreateAsync("bench-" + Guid.NewGuid().ToString("N")[..8], [ApiScopes.DeliveriesWrite], "bench", ct);
        const int clients = 8;
        var duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_BOOKING_S") ?? "20", System.Globalization.CultureInfo.InvariantCulture));
        var maxWarmUp = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_BOOKING_WARMUP_S") ?? "150", System.Globalization.CultureInfo.InvariantCulture));
        Progress.Say($"booking: {clients} clients, warm-up until the JIT settles (at most {maxWarmUp.TotalSeconds:0} s), {duration.TotalSeconds:0} s measured, one API key");
        using var http = host.NewClient(clients);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created!.Secret);
        long booked, failed;
        var run = Guid.NewGuid().ToString("N")[..8];
        // Warm-up at full load until the JIT settles: a steady state, as a console that has served
        // for a while is in. On two busy cores the tiered JIT needs about a minute of load to move
        // the booking path from quick (tier-0) code through instrumented code to optimized code.
        var (warmUp, warmRate, jitted) = await WarmUpAsync(http, $"{run}-warm", clients, maxWarmUp, ct);
        var watch = Stopwatch.StartNew();
        (booked, failed) = await LoadAsync(http, run, clients, duration, ct);
        var rate = booked / watch.Elapsed.TotalSeconds;
        report.Add(Figure.AtLeast("booking_api_deliveries_per_s", rate, "deliveries/s", Target,
            $"{clients} concurrent clients, {duration.TotalSeconds:0} s after a {warmUp.TotalSeconds:0} s warm-up at full load ({jitted} methods compiled meanwhile; {warmRate:0}/s in its last 5 s), {booked} booked (201), {failed} not 201; Idempotency-Key and externalReference each"));
    }

    /// <summary>
    /// Books at full load in 5 s rounds until a round compiles fewer than 50 methods (the JIT has
    /// settled) or <paramref name="max"/> has passed: how long it took, the last round's rate, the methods compiled.
    /// </summary>
    private static async Task<(TimeSpan Took, double LastRate, long Jitted)> WarmUpAsync(HttpClient http, string run, int clients, TimeSpan max, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var start = System.Runtime.JitInfo.GetCompiledMethodCount();
        var round = TimeSpan.FromSeconds(5);
        for (var i = 0; ; i++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            var (booked, _) = await LoadAsync(http, $"{run}-{i}", clients, round, ct);
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            Progress.Say($"booking warm-up: {watch.Elapsed.TotalSeconds:0} s, {booked / round.TotalSeconds:0}/s, {compiled} methods compiled in the last 5 s");
            if ((compiled < 50 && i > 0) || watch.Elapsed >= max)
                return (watch.Elapsed, booked / round.TotalSeconds, System.Runtime.JitInfo.GetCompiledMethodCount() - start);
        }
    }

    private static async Task<(long Booked, long Failed)> LoadAsync(HttpClient http, string run, int clients, TimeSpan duration, CancellationToken ct)
    {
        long booked = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var n = 0; watch.Elapsed < duration && !ct.IsCancellationRequested; n++)
            {
                if (await BookAsync(http, $"{run}-{c}-{n}", ct) == HttpStatusCode.Created) Interlocked.Increment(ref booked);
                else Interlocked.Increment(ref failed);
            }
        }));
        return (booked, failed);
    }

    private static async Task<HttpStatusCode> BookAsync(HttpClient http, string reference, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/deliveries")
        {
            Content = new StringContent($$"""
                {"customerName":"Bench {{reference}}","customerPhone":"+821012345678","locale":"ko","externalReference":"{{reference}}",
                 "pickup":{"address":"인천항","lat":37.45,"lon":126.6},"dropoff":{"address":"부산항","lat":35.1,"lon":129.04},
                 "promisedTo":"2026-12-24T12:00:00+09:00"}
                """, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "bench-" + reference);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }
}
