using System.Diagnostics;
using System.Net;

namespace Sendy.Bench;

/// <summary>Figure 7: accepted fixes/s through POST /api/v1/positions with kinesalite's PutRecords in the path.</summary>
public sealed class IngestBench(BenchHost host, Report report)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var big = await RateAsync(fixesPerRequest: 500, clients: 4, TimeSpan.FromSeconds(10), ct);
        report.Add(Figure.Reference("ingest_500_per_request_fixes_per_s", big.Rate, "fixes/s",
            $"4 concurrent clients, 10 s, {big.Requests} requests, {big.Failed} not 202; kinesalite PutRecords in the path"));
        var small = await RateAsync(fixesPerRequest: 1, clients: 16, TimeSpan.FromSeconds(10), ct);
        report.Add(Figure.Reference("ingest_1_per_request_fixes_per_s", small.Rate, "fixes/s",
            $"16 concurrent clients, 10 s, {small.Requests} requests, {small.Failed} not 202; one PutRecords per request"));
    }

    private async Task<(double Rate, long Requests, long Failed)> RateAsync(int fixesPerRequest, int clients, TimeSpan duration, CancellationToken ct)
    {
        Progress.Say($"ingest: {fixesPerRequest} fix(es) per request, {clients} clients, {duration.TotalSeconds:0} s");
        using var http = host.NewClient(clients);
        long accepted = 0, requests = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            var truck = host.Fleet[(c * 37) % host.Fleet.Count];
            var n = 0;
            while (watch.Elapsed < duration && !ct.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                var body = FixPoster.Body(Enumerable.Range(0, fixesPerRequest)
                    .Select(i => (36.0 + (n * fixesPerRequest + i) * 1e-6, 127.5, now.AddMilliseconds(-fixesPerRequest + i))));
                n++;
                var status = await FixPoster.PostAsync(http, truck.DriverToken, body, ct);
                Interlocked.Increment(ref requests);
                if (status == HttpStatusCode.Accepted) Interlocked.Add(ref accepted, fixesPerRequest);
                else Interlocked.Increment(ref failed);
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return (accepted / watch.Elapsed.TotalSeconds, requests, failed);
    }
}
