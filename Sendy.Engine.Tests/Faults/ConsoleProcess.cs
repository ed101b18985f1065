using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Sendy.Engine.Tests.Faults;

/// <summary>Sendy.Console as a real child process (the build's own output), so it can be SIGKILLed.</summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    /// <param name="settings">More environment on top of the defaults below (a key given here wins).</param>
    public ConsoleProcess(string connectionString, string streamEndpoint, string streamName, string workerId,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        Port = Shell.FreePort();
        _environment = new()
        {
            ["ASPNETCORE_URLS"] = BaseUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Sendy"] = connectionString,
            ["Sendy__Stream__Endpoint"] = streamEndpoint,
            ["Sendy__Stream__StreamName"] = streamName,
            ["Sendy__Stream__ShardCount"] = "2",
            ["Sendy__Stream__CreateIfMissing"] = "true",
            ["Sendy__Stream__PutRetryAttempts"] = "2",
            ["Sendy__Stream__RequestTimeout"] = "00:00:03",
            ["Sendy__Consumer__WorkerId"] = workerId,
            ["Sendy__Consumer__LeaseDuration"] = "00:00:03",
            ["Sendy__Consumer__GetRecordsInterval"] = "00:00:00.050",
            ["Sendy__Consumer__ShardSyncInterval"] = "00:00:01",
            ["Sendy__RateLimits__Enabled"] = "false",
            ["Sendy__Demo__Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) _environment[key] = value;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string Log => string.Join('\n', _log);

    public static string ConsoleDll
    {
        get
        {
            // Same configuration as this test assembly (bin/<Configuration>/net10.0).
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var dll = Path.Combine(Shell.RepoRoot, "Sendy.Console", "bin", configuration, "net10.0", "Sendy.Console.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built: build Sendy.sln first (./sendy.sh test does)");
        }
    }

    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.Combine(Shell.RepoRoot, "Sendy.Console"),
        };
        psi.ArgumentList.Add(ConsoleDll);
        foreach (var (k, v) in _environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"console exited with {_process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"console not ready within 180 s:\n{Log}");
    }

    /// <summary>SIGKILL: no shutdown code runs at all.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, as a service manager stops it; returns how long it took to exit.</summary>
    public async Task<(TimeSpan Took, int ExitCode)> TerminateAsync(TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        await Shell.RunAsync("kill", "-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture));
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        var code = _process.ExitCode;
        _process.Dispose();
        _process = null;
        return (stopwatch.Elapsed, code);
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}

/// <summary>
/// Trucks posting like phones: one request in flight per truck, a batch retried until a 202 (so
/// per-truck order is the stream order), and a record of exactly which fixes were acknowledged.
/// </summary>
public sealed class PhoneFleet(Func<string> baseUrl, IReadOnlyDictionary<string, string> driverTokens, int fixesPerBatch = 5)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-30);
    private readonly ConcurrentDictionary<string, List<DateTimeOffset>> _acknowledged = new();
    private readonly ConcurrentDictionary<int, int> _answers = new();

    public IReadOnlyDictionary<string, List<DateTimeOffset>> Acknowledged => _acknowledged;

    public int AcknowledgedCount => _acknowledged.Values.Sum(l => l.Count);

    public IReadOnlyDictionary<int, int> Answers => _answers;

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(driverTokens.Select(kv => Task.Run(() => TruckAsync(kv.Key, kv.Value, stop), CancellationToken.None)));

    private async Task TruckAsync(string truck, string token, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var acknowledged = _acknowledged.GetOrAdd(truck, _ => []);
        var next = 0;
        while (!stop.IsCancellationRequested)
        {
            var times = Enumerable.Range(next, fixesPerBatch).Select(i => Start.AddMilliseconds(i * 100)).ToList();
            var body = "{\"fixes\":[" + string.Join(",", times.Select((t, i) => string.Create(CultureInfo.InvariantCulture,
                $$"""{"lat":{{36 + (next + i) * 0.00001}},"lon":127.5,"recordedAt":"{{t:O}}"}"""))) + "]}";
            using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl() + "/api/v1/positions")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                using var response = await http.SendAsync(request, CancellationToken.None);
                _answers.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    lock (acknowledged) acknowledged.AddRange(times);
                    next += fixesPerBatch;
                }
                else await Task.Delay(200, CancellationToken.None); // 503: keep the batch, retry (as the driver page does)
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                _answers.AddOrUpdate(0, 1, (_, n) => n + 1); // no answer: the process is down
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }
}
