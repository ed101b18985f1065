using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tests.Faults;

/// <summary>Runs a command and fails with its output when it fails.</summary>
internal static class Shell
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task RunAsync(string file, params string[] args)
    {
        var (code, output) = await TryRunAsync(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
    }

    public static async Task<(int Code, string Output)> TryRunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>PostgreSQL refuses to run as root: as root, run its tools as the postgres user.</summary>
    public static Task AsPostgresAsync(string file, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args]) : RunAsync(file, args);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitForPortAsync(int port, bool open, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            using var tcp = new TcpClient();
            var isOpen = false;
            try
            {
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                isOpen = true;
            }
            catch (SocketException)
            {
            }
            if (isOpen == open) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"port {port} did not become {(open ? "open" : "closed")} within {timeout}");
    }

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Sendy.sln"))) return dir.FullName;
            throw new InvalidOperationException("Sendy.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

/// <summary>A PostgreSQL/PostGIS cluster of the test's own, so it can be stopped and restarted without touching other tests.</summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Path.Combine("/tmp", "sendy-fault-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = Shell.FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=sendy;Username=postgres;Pooling=true;Timeout=5;Command Timeout=15";

    private string Data => Path.Combine(_dir, "data");

    public static async Task<PrivatePostgres> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException("PostgreSQL 15 is not installed: run ./sendy.sh test, which installs it");
        var pg = new PrivatePostgres();
        Directory.CreateDirectory(pg._dir);
        if (Shell.IsRoot) await Shell.RunAsync("chown", "postgres", pg._dir);
        await Shell.AsPostgresAsync(Path.Combine(Bin, "initdb"), "-D", pg.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        await pg.StartServerAsync();
        await using (var admin = new NpgsqlConnection(pg.ConnectionString.Replace("Database=sendy", "Database=postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE sendy", admin);
            await create.ExecuteNonQueryAsync();
        }
        await SendyDatabase.MigrateAsync(pg.ConnectionString, CancellationToken.None); // creates the postgis extension too
        return pg;
    }

    public Task StartServerAsync() => Shell.AsPostgresAsync(Path.Combine(Bin, "pg_ctl"), "-D", Data, "-l", Path.Combine(_dir, "log"),
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "-w", "-t", "60", "start");

    public Task StopServerAsync() => Shell.AsPostgresAsync(Path.Combine(Bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "-t", "60", "stop");

    public Task RestartServerAsync() => Shell.AsPostgresAsync(Path.Combine(Bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "-t", "60",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "restart");

    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Shell.TryRunAsync(Shell.IsRoot ? "runuser" : Path.Combine(Bin, "pg_ctl"),
            Shell.IsRoot ? ["-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", Data, "-m", "immediate", "stop"] : ["-D", Data, "-m", "immediate", "stop"]);
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A kinesalite of the test's own (in memory: stopping it loses every stream, as a real restart does).</summary>
public sealed class PrivateKinesalite : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = Shell.FreePort();

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static async Task<PrivateKinesalite> StartAsync()
    {
        var k = new PrivateKinesalite();
        await k.StartServerAsync();
        return k;
    }

    public async Task StartServerAsync()
    {
        var script = Path.Combine(Shell.RepoRoot, "scripts", "kinesalite.js");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _process = Process.Start(psi)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Shell.WaitForPortAsync(Port, open: true, TimeSpan.FromSeconds(20));
    }

    public async Task StopServerAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
        await Shell.WaitForPortAsync(Port, open: false, TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync() => await StopServerAsync();
}
