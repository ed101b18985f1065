using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sendy.Engine.Ingest;
using Sendy.Engine.Tracking;

namespace Sendy.Bench;

/// <summary>
/// Figure 6: /dispatch in Chromium with 5,000 trucks moving once a second. The load enters where the
/// fast path enters (IAcceptedPositionsListener: the point PutRecords acknowledged a fix), because
/// 5,000 requests/s through the API and kinesalite do not fit on this machine beside Chromium; the
/// API-to-listener part is figure 3. Lag = publish -> probe truck's marker at the new position.
/// </summary>
public sealed class DispatchBench(BenchHost host, Report report)
{
    public int Trucks { get; init; } = 5_000;
    public int Probes { get; init; } = 50;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public async Task RunAsync(CancellationToken ct)
    {
        // Every truck starts with a stored position so the page places all of them.
        await host.Database.ExecuteAsync("""
            INSERT INTO latest_positions (truck_id, recorded_at, received_at, location, speed_mps, heading_degrees, accuracy_meters, shard_id, sequence_number)
            SELECT t.id, now() - interval '1 minute', now() - interval '1 minute',
                   ST_SetSRID(ST_MakePoint(126.5 + random() * 3, 34.8 + random() * 3), 4326), 20, 90, 5, 'seed', '0'
            FROM trucks t ON CONFLICT (truck_id) DO NOTHING
            """);
        var (playwright, browser) = await BrowserBench.LaunchAsync();
        try
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = host.BaseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync("account/login?ReturnUrl=%2Fdispatch");
            await page.FillAsync("#email", BenchHost.AdminEmail);
            await page.FillAsync("#password", BenchHost.AdminPassword);
            await page.ClickAsync("[data-testid=login-submit]");
            Progress.Say($"dispatch: loading /dispatch with {Trucks:N0} trucks");
            await page.GotoAsync("dispatch", new PageGotoOptions { Timeout = 240_000 });
            await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 240_000 });
            await page.WaitForFunctionAsync($"() => window.sendyDispatch && window.sendyDispatch.truckCount() >= {Trucks}", null,
                new PageWaitForFunctionOptions { Timeout = 240_000 });
            await page.WaitForTimeoutAsync(2000);

            var probes = host.Fleet.Take(Trucks).Where((_, i) => i % (Trucks / Probes) == 0).Select(f => f.TruckId).ToArray();
            await page.EvaluateAsync("""
                probes => {
                    window.__longTasks = [];
                    new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
                        .observe({ type: 'longtask' });
                    window.__seen = [];
                    const last = {};
                    window.__probe = setInterval(() => {
                        for (const id of probes) {
                            const at = window.sendyDispatch.markerLatLng(id);
                            if (at && String(at[0]) !== last[id]) { last[id] = String(at[0]); window.__seen.push([id, String(at[0]), Date.now()]); }
                        }
                    }, 20);
                }
                """, probes);
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");
            var before = await MetricsAsync(cdp);
            var wall = Stopwatch.StartNew();
            var published = await DriveAsync(probes.ToHashSet(), ct);
            var seconds = wall.Elapsed.TotalSeconds;
            var after = await MetricsAsync(cdp);
            await page.WaitForTimeoutAsync(1500);
            var seen = await page.EvaluateAsync<string[][]>("() => { clearInterval(window.__probe); return window.__seen; }");
            var longTasks = await page.EvaluateAsync<double[]>("() => window.__longTasks");

            var lags = new List<double>();
            foreach (var s in seen)
            {
                var lat = double.Parse(s[1], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                if (published.TryGetValue((s[0], lat), out var at)) lags.Add(Math.Max(0, double.Parse(s[2], CultureInfo.InvariantCulture) - at));
            }
            lags.Sort();
            var busy = (after["TaskDuration"] - before["TaskDuration"]) / seconds;
            report.Add(Figure.AtMost("dispatch_update_lag_p95_ms", Percentiles.Of(lags, 95), "ms", 1000,
                $"{Trucks:N0} trucks x 1 fix/s for {seconds:0} s entering at the fast-path listener; {Probes} probe trucks polled every 20 ms in the page; {lags.Count} of {published.Count} probe fixes seen; p50 {Percentiles.Of(lags, 50):0} ms"));
            report.Add(Figure.AtMost("dispatch_main_thread_busy_pct", busy * 100, "%", 50,
                $"CDP Performance TaskDuration / wall time (includes the 20 ms probe); long tasks: {longTasks.Length}, {longTasks.Sum():0} ms in total, longest {(longTasks.Length == 0 ? 0 : longTasks.Max()):0} ms"));
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private async Task<Dictionary<(string, string), double>> DriveAsync(HashSet<string> probes, CancellationToken ct)
    {
        var listener = host.Services.GetRequiredService<IAcceptedPositionsListener>();
        var ids = host.Fleet.Take(Trucks).Select(f => f.TruckId).ToArray();
        var published = new Dictionary<(string, string), double>();
        var rng = new Random(42);
        // Each truck starts somewhere in a 3-degree square and drives north at 80 km/h (0.0002
        // degree a second): the live fast path holds back impossible jumps (Quality/LiveFixGate),
        // so fixes that leapt about the square each second would never reach the page.
        var start = ids.Select(_ => (Lat: 34.8 + rng.NextDouble() * 3, Lon: Math.Round(126.5 + rng.NextDouble() * 3, 6))).ToArray();
        var steps = new int[ids.Length];
        var tick = 0;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (clock.Elapsed < Duration && await timer.WaitForNextTickAsync(ct))
        {
            var now = DateTimeOffset.UtcNow;
            var batch = new List<TruckPosition>(Trucks / 10);
            for (var i = (tick % 10) * (Trucks / 10); i < (tick % 10 + 1) * (Trucks / 10); i++)
            {
                var lat = Math.Round(start[i].Lat + ++steps[i] * 0.0002, 6);
                batch.Add(new TruckPosition(ids[i], lat, start[i].Lon, now, now, 22, 0, 5));
            }
            var at = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;
            foreach (var p in batch)
                if (probes.Contains(p.TruckId)) published[(p.TruckId, p.Latitude.ToString(CultureInfo.InvariantCulture))] = at;
            listener.OnAccepted(batch);
            tick++;
        }
        return published;
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(ICDPSession cdp)
    {
        var result = await cdp.SendAsync("Performance.getMetrics");
        return result!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    }
}
