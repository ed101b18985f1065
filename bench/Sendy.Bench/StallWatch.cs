using System.Diagnostics;
using System.Globalization;
using Sendy.Engine.Tests.Integrations;

namespace Sendy.Bench;

/// <summary>
/// A diagnosis aid for the webhook bench's stalls (SENDY_BENCH_WEBHOOK_WATCH names a file): every
/// half second, one tab-separated line with what the process and PostgreSQL were doing, beside the
/// healthy receiver's arrivals in that half second and the slowest of them. A stall shows as a run
/// of lines with no arrivals and then one with a large latency; the columns beside it say whether
/// the process was collecting garbage, short of threads, or PostgreSQL's sessions were waiting.
/// </summary>
public sealed class StallWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private StallWatch(string path, WebhookReceiver healthy, BenchDatabase db) => _loop = RunAsync(path, healthy, db, _stop.Token);

    public static StallWatch? Start(WebhookReceiver healthy, BenchDatabase db) =>
        Environment.GetEnvironmentVariable("SENDY_BENCH_WEBHOOK_WATCH") is { Length: > 0 } path ? new StallWatch(path, healthy, db) : null;

    private static async Task RunAsync(string path, WebhookReceiver healthy, BenchDatabase db, CancellationToken ct)
    {
        await using var output = new StreamWriter(path) { AutoFlush = true };
        await output.WriteLineAsync("t_s\tarrived\tslowest_ms\tgc_pause_ms\tgen0\tgen1\tgen2\theap_mb\tthreads\tqueued\tpg_lock_waits\tpg_waits\tautovacuum");
        var clock = Stopwatch.StartNew();
        var seen = 0;
        var pause = GC.GetTotalPauseDuration();
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await tick.WaitForNextTickAsync(ct))
            {
                var fresh = healthy.Received.Skip(seen).ToList();
                seen += fresh.Count;
                var slowest = fresh.Where(r => r.Payload is not null).Select(r => (r.At - r.Payload!.Data.OccurredAt).TotalMilliseconds).DefaultIfEmpty(0).Max();
                var nowPause = GC.GetTotalPauseDuration();
                var (n0, n1, n2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                string pg;
                try
                {
                    pg = await db.ScalarAsync<string>("""
                        SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') || E'\t'
                            || coalesce(string_agg(DISTINCT wait_event_type || ':' || wait_event, ',') FILTER (WHERE state = 'active' AND wait_event IS NOT NULL), '-') || E'\t'
                            || coalesce(string_agg(left(query, 60), ' | ') FILTER (WHERE backend_type = 'autovacuum worker'), '-')
                        FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                        """);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    pg = "?\t" + ex.GetType().Name + "\t-";
                }
                await output.WriteLineAsync(string.Join('\t',
                    clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), fresh.Count, slowest.ToString("F0", CultureInfo.InvariantCulture),
                    (nowPause - pause).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture), n0 - g0, n1 - g1, n2 - g2,
                    GC.GetTotalMemory(false) / 1048576, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, pg));
                (pause, g0, g1, g2) = (nowPause, n0, n1, n2);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
