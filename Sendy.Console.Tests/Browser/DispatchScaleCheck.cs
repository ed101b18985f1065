using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Tracking;
using Xunit.Abstractions;

namespace Sendy.Console.Tests.Browser;

/// <summary>Runs only when SENDY_SCALE_CHECK=1: a measurement to read, not a pass/fail timing target.</summary>
public sealed class ScaleCheckFactAttribute : FactAttribute
{
    public ScaleCheckFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SENDY_SCALE_CHECK") != "1")
            Skip = "By hand: SENDY_SCALE_CHECK=1 dotnet test Sendy.Console.Tests --filter FullyQualifiedName~DispatchScaleCheck";
    }
}

/// <summary>
/// 5,000 trucks at one fix a second for 20 s into the dispatcher page, measured in Chromium:
/// main-thread busy fraction (CDP Performance.getMetrics TaskDuration), long tasks, interop calls.
/// Results go to the test output and TestResults/dispatch-scale.txt.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DispatchScaleCheck(BrowserFixture fixture, ITestOutputHelper output)
{
    private const int Trucks = 5_000;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);

    [ScaleCheckFact]
    public async Task five_thousand_trucks_at_one_fix_a_second()
    {
        var now = DateTimeOffset.UtcNow;
        var fleet = FleetData.Trucks(Trucks, now).Select(t => t with { TruckId = "scale-" + t.TruckId, LatestPosition = t.LatestPosition! with { TruckId = "scale-" + t.TruckId, RecordedAt = now, ReceivedAt = now } }).ToList();
        fixture.Host.Fleet.Trucks.Clear();
        fixture.Host.Fleet.Add([.. fleet]);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"dispatcher page, {Trucks} trucks, 1 fix/s each, {Duration.TotalSeconds} s per view, Chromium {fixture.Browser.Version}, {Environment.ProcessorCount} CPUs");

        await using var context = await fixture.NewContextAsync(configure: o => o.ViewportSize = new ViewportSize { Width = 1440, Height = 900 });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            // Tile requests answer 404 in tests by design.
            if (m.Type == "error" && !m.Text.Contains("404", StringComparison.Ordinal)) errors.Add(m.Text);
        };
        var load = Stopwatch.StartNew();
        await page.GotoAsync("dispatch");
        await page.WaitForSelectorAsync(".dispatch-page[data-interactive=true]");
        await Assertions.Expect(page.Locator("[data-testid=fleet-map]")).ToHaveAttributeAsync("data-truck-count", Trucks.ToString(CultureInfo.InvariantCulture), new() { Timeout = 60_000 });
        report.AppendLine(CultureInfo.InvariantCulture, $"load: page to {Trucks} markers in {load.ElapsedMilliseconds} ms");
        await page.WaitForTimeoutAsync(2000);

        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        await page.EvaluateAsync("""
            () => {
                window.__longTasks = [];
                new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
                    .observe({ type: 'longtask' });
            }
            """);

        var positions = fleet.ToDictionary(t => t.TruckId, t => t.LatestPosition!);
        foreach (var (name, setView) in new (string, string?)[]
                 {
                     ("whole fleet, clustered", null),
                     ("zoom 10 on Seoul", "() => window.sendyDispatch.view(37.5665, 126.978, 10)"),
                     ("zoom 12 on Seoul", "() => window.sendyDispatch.view(37.5665, 126.978, 12)"),
                 })
        {
            if (setView is not null)
            {
                await page.EvaluateAsync(setView);
                await page.WaitForTimeoutAsync(1500);
            }
            await page.EvaluateAsync("() => { window.__longTasks = []; }");
            var batchesBefore = int.Parse(await page.Locator("[data-testid=fleet-map]").GetAttributeAsync("data-batches") ?? "0", CultureInfo.InvariantCulture);
            var before = await MetricsAsync(cdp);
            var clock = Stopwatch.StartNew();
            await DriveAsync(positions, Duration);
            var wall = clock.Elapsed.TotalSeconds;
            var after = await MetricsAsync(cdp);
            var batches = int.Parse(await page.Locator("[data-testid=fleet-map]").GetAttributeAsync("data-batches") ?? "0", CultureInfo.InvariantCulture) - batchesBefore;
            var longTasks = await page.EvaluateAsync<double[]>("() => window.__longTasks");
            var drift = await page.EvaluateAsync<double>("() => window.sendyDispatch.drawnDrift()");
            var markers = await page.Locator(".dm-icon").CountAsync();
            var clusters = await page.Locator(".dm-cluster").CountAsync();
            double Delta(string key) => after[key] - before[key];
            report.AppendLine(CultureInfo.InvariantCulture,
                $"{name} ({markers} single markers, {clusters} clusters drawn): main thread busy {Delta("TaskDuration") / wall:P0} (script {Delta("ScriptDuration") / wall:P0}, layout+style {(Delta("LayoutDuration") + Delta("RecalcStyleDuration")) / wall:P0}); " +
                $"updateTrucks calls {batches} ({batches / wall:0.0}/s); long tasks (>50 ms) {longTasks.Length}, total {longTasks.Sum():0} ms, longest {(longTasks.Length == 0 ? 0 : longTasks.Max()):0} ms; " +
                $"JS heap {after["JSHeapUsedSize"] / 1e6:0} MB; drawn markers off their latest fix by at most {drift:0.#} px");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"browser errors: {errors.Count}");
        foreach (var error in errors.Take(5)) report.AppendLine("  " + error);
        var text = report.ToString();
        output.WriteLine(text);
        var path = Path.Combine(RepoPaths.Root, "TestResults", "dispatch-scale.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text);
        fixture.Host.Fleet.Trucks.Clear();
    }

    /// <summary>Every truck one fix a second, published as the engine does: batches of 500 every 100 ms.</summary>
    private async Task DriveAsync(Dictionary<string, TruckPosition> positions, TimeSpan duration)
    {
        var ids = positions.Keys.ToArray();
        var tick = 0;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (clock.Elapsed < duration && await timer.WaitForNextTickAsync())
        {
            var at = DateTimeOffset.UtcNow;
            var batch = new List<TruckPosition>(500);
            for (var i = (tick % 10) * 500; i < (tick % 10 + 1) * 500 && i < ids.Length; i++)
            {
                var p = positions[ids[i]];
                var heading = p.HeadingDegrees ?? 0;
                var metres = p.SpeedMps ?? 0;
                var moved = p with
                {
                    Latitude = p.Latitude + metres * Math.Cos(heading * Math.PI / 180) / 111_000,
                    Longitude = p.Longitude + metres * Math.Sin(heading * Math.PI / 180) / 88_000,
                    RecordedAt = at,
                    ReceivedAt = at,
                };
                positions[ids[i]] = moved;
                batch.Add(moved);
            }
            _ = fixture.Host.Feed.PublishAsync(batch);
            tick++;
        }
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(ICDPSession cdp)
    {
        var result = await cdp.SendAsync("Performance.getMetrics");
        return result!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    }
}
