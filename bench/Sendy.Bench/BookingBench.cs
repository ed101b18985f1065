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
        var duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_BOOKING_S") ?? "10", System.Globalization.CultureInfo.InvariantCulture));
        var warmUp = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_BOOKING_WARMUP_S") ?? "3", System.Globalization.CultureInfo.InvariantCulture));
        Progress.Say($"booking: {clients} clients, {warmUp.TotalSeconds:0} s warm-up, {duration.TotalSeconds:0} s measured, one API key");
        using var http = host.NewClient(clients);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created!.Secret);
        long booked, failed;
        var run = Guid.NewGuid().ToString("N")[..8];
        // Warm-up at full load: the JIT's tiers, the pools and the caches settle before the clock starts.
        await LoadAsync(http, $"{run}-warm", clients, warmUp, ct);
        var watch = Stopwatch.StartNew();
        (booked, failed) = await LoadAsync(http, run, clients, duration, ct);
        var rate = booked / watch.Elapsed.TotalSeconds;
        report.Add(Figure.AtLeast("booking_api_deliveries_per_s", rate, "deliveries/s", Target,
            $"{clients} concurrent clients, {duration.TotalSeconds:0} s after a {warmUp.TotalSeconds:0} s warm-up, {booked} booked (201), {failed} not 201; Idempotency-Key and externalReference each"));
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
