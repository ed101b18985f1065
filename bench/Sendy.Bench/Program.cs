using System.Text.Json.Nodes;
using Npgsql;

namespace Sendy.Bench;

public static class BenchProgram
{
    public static async Task<int> Main()
    {
        // ./sendy.sh bench runs this with the set-up's connection string and kinesalite endpoint. Every
        // scenario is bounded; one that fails or runs out of time is reported as "not measured" with why.
        var pg = Environment.GetEnvironmentVariable("SENDY_BENCH_PG")
            ?? "Host=127.0.0.1;Port=25434;Database=sendy;Username=sendy;Password=sendy";
        var kinesis = Environment.GetEnvironmentVariable("SENDY_BENCH_KINESIS_ENDPOINT") ?? "http://127.0.0.1:25673";
        var s3 = Environment.GetEnvironmentVariable("SENDY_BENCH_S3_ENDPOINT");
        var output = Environment.GetEnvironmentVariable("SENDY_BENCH_OUTPUT") ?? Path.Combine("bench", "results", "latest.json");
        var only = Environment.GetEnvironmentVariable("SENDY_BENCH_ONLY")?.Split(',', StringSplitOptions.RemoveEmptyEntries);

        // Diagnosis knob: a thread pool that starts with more threads (blocking code shows as the difference).
        if (int.TryParse(Environment.GetEnvironmentVariable("SENDY_BENCH_MIN_THREADS"), out var minThreads)) ThreadPool.SetMinThreads(minThreads, minThreads);
        var report = new Report();
        string postgresVersion;
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(pg) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT version() || ' / PostGIS ' || postgis_lib_version() || ' / fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')", connection);
            postgresVersion = (string)(await cmd.ExecuteScalarAsync())!;
        }

        bool Wanted(string name) => only is null || only.Contains(name);
        // Scenarios too long for every run: only when SENDY_BENCH_ONLY names them.
        string[] onlyWhenNamed = ["history"];

        async Task RunAsync(string name, string[] figures, TimeSpan budget, Func<CancellationToken, Task> run)
        {
            if (!Wanted(name) || (only is null && onlyWhenNamed.Contains(name))) return;
            Progress.Say($"== {name}");
            using var cts = new CancellationTokenSource(budget);
            try
            {
                await run(cts.Token).WaitAsync(budget + TimeSpan.FromSeconds(30));
            }
            catch (Exception ex)
            {
                Progress.Say($"{name} failed: {ex}");
                foreach (var f in figures)
                    report.Add(Figure.NotMeasured(f, "", null, $"{name} failed: {ex.GetType().Name}: {ex.Message}"));
            }
        }

        await RunAsync("persist", ["persist_consumer_positions_per_s"], TimeSpan.FromMinutes(3),
            ct => new PersistBench(pg, report).RunAsync(ct));

        // Issue 18: 50 M positions of history (generated once, about 10 minutes, then reused) against an empty database.
        await RunAsync("history", ["history_persist_full_positions_per_s", "history_trail_10h_p99_ms", "history_dispatch_initial_load_p95_ms",
                "history_drop_big_day_ms", "history_archive_rows_per_s"], TimeSpan.FromMinutes(60),
            ct => new HistoryBench(pg, s3, report).RunAsync(ct));

        if (new[] { "ingest", "kinesalite", "live", "browser", "dispatch", "booking", "webhooks" }.Any(Wanted))
        {
            Progress.Say("== starting the console in process (Kestrel on loopback, kinesalite, 5,000 trucks)");
            await using var host = await BenchHost.StartAsync(pg, kinesis, 5_000, CancellationToken.None);
            // Memory first, on a quiet process: later scenarios leave caches and buffers that shrink while pages open.
            await RunAsync("browser", ["memory_per_circuit_kb", "browser_latency_p50_ms", "browser_latency_p99_ms"], TimeSpan.FromMinutes(4),
                ct => new BrowserBench(host, report).RunAsync(ct));
            await RunAsync("ingest", ["ingest_500_per_request_fixes_per_s", "ingest_1_per_request_fixes_per_s"], TimeSpan.FromMinutes(1),
                ct => new IngestBench(host, report).RunAsync(ct));
            await RunAsync("booking", ["booking_api_deliveries_per_s"], TimeSpan.FromMinutes(4),
                ct => new BookingBench(host, report).RunAsync(ct));
            var outage = double.Parse(Environment.GetEnvironmentVariable("SENDY_BENCH_WEBHOOK_OUTAGE_S") ?? "600", System.Globalization.CultureInfo.InvariantCulture);
            await RunAsync("webhooks", ["webhook_latency_p99_ms", "webhook_latency_p99_during_outage_ms", "webhook_outage_catchup_s", "webhook_outage_missing",
                    "webhook_outage_duplicates", "webhook_outage_out_of_order", "webhook_unsigned", "webhook_bench_failed_changes"], TimeSpan.FromSeconds(outage) + TimeSpan.FromMinutes(15),
                ct => new WebhookBench(host, report).RunAsync(ct));
            await RunAsync("kinesalite", ["kinesalite_consumer_positions_per_s"], TimeSpan.FromMinutes(3),
                ct => new KinesaliteBench(host, pg, report).RunAsync(ct));
            await RunAsync("live", ["live_latency_p50_ms", "live_latency_p99_ms"], TimeSpan.FromMinutes(2),
                ct => new LiveLatencyBench(host, report).RunAsync(ct));
            await RunAsync("dispatch", ["dispatch_update_lag_p95_ms", "dispatch_main_thread_busy_pct"], TimeSpan.FromMinutes(3),
                ct => new DispatchBench(host, report).RunAsync(ct));
        }

        var json = report.ToJson(postgresVersion);
        var text = Report.Serialize(json);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, text + "\n");
        System.Console.Out.WriteLine(text);
        return 0;
    }
}
