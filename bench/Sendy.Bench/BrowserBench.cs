using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace Sendy.Bench;

/// <summary>
/// Figures 4 and 5 in one Chromium session: open 100+ real customer pages (one Blazor circuit each)
/// and measure the console's managed heap and working set before and after (forced full GC, in
/// process); then, on 50 of them, API 202 -> marker position observed in the page (MutationObserver
/// on the map's data-truck-lat, both clocks are this machine's).
/// </summary>
public sealed class BrowserBench(BenchHost host, Report report)
{
    public int Pages { get; init; } = 110;
    /// <summary>Opened before the baseline so one-off costs (JIT, component metadata, caches) are not counted per circuit.</summary>
    public int WarmupPages { get; init; } = 10;
    public int Contexts { get; init; } = 4;
    public int LatencyPages { get; init; } = 50;
    public int Rounds { get; init; } = 12;

    /// <summary>A static page (no circuit) that loads the same stylesheets and scripts as the customer's.</summary>
    private const string ControlPath = "account/login";

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("SENDY_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows"],
        });
        return (playwright, browser);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var (playwright, browser) = await LaunchAsync();
        try
        {
            var contexts = new List<IBrowserContext>();
            for (var c = 0; c < Contexts; c++)
                contexts.Add(await browser.NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = host.BaseAddress.ToString(),
                    ViewportSize = new ViewportSize { Width = 800, Height = 600 },
                }));
            var all = new IPage[WarmupPages + Pages];
            var opened = 0;
            async Task OpenAsync(IEnumerable<int> indexes)
            {
                await Parallel.ForEachAsync(indexes, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, _) =>
                {
                    var page = await contexts[i % Contexts].NewPageAsync();
                    await page.GotoAsync($"t/{host.Fleet[i].TrackingToken}", new PageGotoOptions { Timeout = 180_000 });
                    await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 180_000 });
                    all[i] = page;
                    if (Interlocked.Increment(ref opened) % 25 == 0) Progress.Say($"browser: {opened} pages live");
                });
            }
            Progress.Say($"browser: {WarmupPages} warm-up pages, then {Pages} measured customer pages in {Contexts} contexts");
            await OpenAsync(Enumerable.Range(0, WarmupPages));
            // Control: Playwright's own objects per page live in this process too (the page, its
            // frames, and a request and response object per fetch, kept until the page closes). Pages
            // without a circuit measure that share, which is subtracted below: the sign-in page, a
            // static page with the same stylesheets and scripts as the customer's (the customer page
            // also fetches the map's script and opens the circuit's connection, whose Playwright
            // objects stay in the circuit figure). Measured after warm-up pages of both kinds, so
            // one-off costs (first requests, JSON and JIT caches on either side) land in neither.
            Progress.Say($"browser: control, {Pages} pages without a circuit");
            var control = new List<IPage>();
            async Task OpenControlAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    var page = await contexts[i % Contexts].NewPageAsync();
                    await page.GotoAsync(ControlPath);
                    control.Add(page);
                }
            }
            await OpenControlAsync(WarmupPages);
            var (controlBefore, _) = Memory();
            await OpenControlAsync(Pages);
            var (controlAfter, _) = Memory();
            foreach (var page in control) await page.CloseAsync();
            var playwrightPerPage = (controlAfter - controlBefore) / 1024.0 / Pages;
            await Task.Delay(2000, ct);
            var (heapBefore, wsBefore) = Memory();
            await OpenAsync(Enumerable.Range(WarmupPages, Pages));
            var pages = all;
            await Task.Delay(3000, ct); // idle
            var (heapAfter, wsAfter) = Memory();
            var perPageHeap = (heapAfter - heapBefore) / 1024.0 / Pages;
            var perCircuitHeap = perPageHeap - playwrightPerPage;
            var perCircuitWs = (wsAfter - wsBefore) / 1024.0 / Pages;
            report.Add(Figure.AtMost("memory_per_circuit_kb", perCircuitHeap, "KB", 150,
                $"managed heap after a forced full GC, {Pages} more idle customer pages (one circuit each) after {WarmupPages} warm-up pages: {heapBefore / 1048576.0:0.0} -> {heapAfter / 1048576.0:0.0} MB = {perPageHeap:0} KB per page, minus {playwrightPerPage:0} KB per page of Playwright objects (control pages: /{ControlPath}, static, same stylesheets and scripts, no circuit); in-process, workstation GC"));
            report.Add(Figure.Reference("memory_per_circuit_working_set_kb", perCircuitWs, "KB",
                $"process working set {wsBefore / 1048576.0:0} -> {wsAfter / 1048576.0:0} MB (includes runtime growth, not only circuits)"));

            if (int.TryParse(Environment.GetEnvironmentVariable("SENDY_BENCH_HOLD_S"), out var hold))
            {
                Progress.Say($"browser: holding {hold} s for a heap dump (pid {Environment.ProcessId})");
                await Task.Delay(TimeSpan.FromSeconds(hold), ct);
            }
            await LatencyAsync(pages.Take(LatencyPages).ToArray(), ct);
            foreach (var c in contexts) await c.DisposeAsync();
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private async Task LatencyAsync(IPage[] pages, CancellationToken ct)
    {
        Progress.Say($"browser: API 202 -> marker moved on {pages.Length} pages, {Rounds} rounds");
        foreach (var page in pages)
            await page.EvaluateAsync("""
                () => {
                    window.__moves = [];
                    const el = document.querySelector('[data-testid=truck-map]');
                    new MutationObserver(() => window.__moves.push([el.dataset.truckLat, Date.now()]))
                        .observe(el, { attributes: true, attributeFilter: ['data-truck-lat'] });
                }
                """);
        using var http = host.NewClient(16);
        var accepted = new Dictionary<(int Page, string Lat), double>();
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-Rounds - 5);
        for (var round = 0; round < Rounds; round++)
        {
            var tick = Stopwatch.StartNew();
            // Trucks report on their own clocks: each page's fix is posted at its own offset within
            // the second (as 2,000 trucks at 1 fix/s arrive spread out), not all 50 in one burst.
            var spacing = TimeSpan.FromMilliseconds(1000.0 / pages.Length);
            await Task.WhenAll(Enumerable.Range(0, pages.Length).Select(async i =>
            {
                var wait = spacing * i - tick.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                var lat = Math.Round(36.5 + i * 0.01 + round * 0.0001, 6);
                var body = FixPoster.Body([(lat, 127.25, t0.AddSeconds(round))]);
                var status = await FixPoster.PostAsync(http, host.Fleet[i].DriverToken, body, ct);
                var at = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;
                if (status == System.Net.HttpStatusCode.Accepted)
                    lock (accepted) accepted[(i, lat.ToString(CultureInfo.InvariantCulture))] = at;
            }));
            var rest = TimeSpan.FromSeconds(1) - tick.Elapsed;
            if (rest > TimeSpan.Zero) await Task.Delay(rest, ct);
        }
        await Task.Delay(2000, ct);
        var latencies = new List<double>();
        var firstRound = new List<double>();
        var early = 0;
        for (var i = 0; i < pages.Length; i++)
        {
            var moves = await pages[i].EvaluateAsync<string[][]>("() => window.__moves.map(m => [String(m[0]), String(m[1])])");
            foreach (var m in moves)
            {
                var lat = double.Parse(m[0], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                if (!accepted.TryGetValue((i, lat), out var ok)) continue;
                var latency = double.Parse(m[1], CultureInfo.InvariantCulture) - ok;
                if (latency < 0) { early++; latency = 0; }
                // Round 0 is the page's first fix: it creates the marker and zooms the map to it.
                if (lat == Math.Round(36.5 + i * 0.01, 6).ToString(CultureInfo.InvariantCulture)) firstRound.Add(latency);
                else latencies.Add(latency);
            }
        }
        latencies.Sort();
        var note = $"{pages.Length} customer pages in Chromium, {Rounds} rounds of one fix per page (posts spread evenly over each second), {accepted.Count} accepted, {latencies.Count} moves of an existing marker matched (the first round on each fresh page, which creates the marker when the truck had no fix yet, apart: p50 {Percentiles.Of(firstRound.Order().ToList(), 50):0} ms, max {(firstRound.Count == 0 ? 0 : firstRound.Max()):0} ms), {early} seen before the client had its 202 (0 ms); Date.now() has 1 ms resolution";
        report.Add(Figure.AtMost("browser_latency_p50_ms", Percentiles.Of(latencies, 50), "ms", 50, note));
        report.Add(Figure.AtMost("browser_latency_p99_ms", Percentiles.Of(latencies, 99), "ms", 150));
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}
