using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Sendy.Engine.Tests.Faults;

namespace Sendy.Console.Tests.Nodes;

/// <summary>
/// Debian's nginx in the foreground with docs/nginx/sendy.conf itself, made local: the given nodes
/// as the upstream, plain HTTP on a loopback port instead of TLS (no redirect server, no ssl_*
/// lines), logs and temp files in a folder of its own, and one test-only header naming the node
/// that answered (X-Upstream).
/// </summary>
public sealed partial class NginxProcess : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sendy-nginx-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private NginxProcess(int port)
    {
        Port = port;
        // Workers run as an unprivileged user when the master is root: they write temp files here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_folder, (UnixFileMode)0b111_111_111);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string AccessLog => File.Exists(AccessLogPath) ? File.ReadAllText(AccessLogPath) : "";

    private string AccessLogPath => Path.Combine(_folder, "access.log");

    public static string Binary => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx"
        : throw new InvalidOperationException("/usr/sbin/nginx is missing: the test set-up installs Debian's nginx (./sendy.sh test)");

    public static async Task<NginxProcess> StartAsync(params string[] nodes)
    {
        var nginx = new NginxProcess(Shell.FreePort());
        var config = Path.Combine(nginx._folder, "nginx.conf");
        await File.WriteAllTextAsync(config, nginx.Config(nodes));
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-p", nginx._folder, "-c", config, "-e", "stderr" }) psi.ArgumentList.Add(arg);
        nginx._process = Process.Start(psi)!;
        nginx._process.OutputDataReceived += (_, e) => { if (e.Data is not null) nginx._output.Enqueue(e.Data); };
        nginx._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) nginx._output.Enqueue(e.Data); };
        nginx._process.BeginOutputReadLine();
        nginx._process.BeginErrorReadLine();
        try
        {
            await Shell.WaitForPortAsync(nginx.Port, open: true, TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("nginx did not start: " + string.Join('\n', nginx._output));
        }
        return nginx;
    }

    /// <summary>The shipped example with only what a loopback test must change.</summary>
    internal string Config(IReadOnlyList<string> nodes)
    {
        var site = File.ReadAllText(Path.Combine(Shell.RepoRoot, "docs", "nginx", "sendy.conf"));
        site = RedirectServer().Replace(site, "");
        site = Regex.Replace(site, @"^\s*(ssl_\w+|http2)\s.*\n", "", RegexOptions.Multiline);
        site = site.Replace("listen 443 ssl;", $"listen 127.0.0.1:{Port};");
        site = site.Replace("/var/log/nginx/sendy.access.log", AccessLogPath);
        site = UpstreamServers().Replace(site, string.Join("\n", nodes.Select(n => $"    server {n} max_fails=1 fail_timeout=10s;")) + "\n");
        site = site.Replace("proxy_pass http://sendy_nodes;", "proxy_pass http://sendy_nodes;\n        add_header X-Upstream $upstream_addr always;");
        return $$"""
            worker_processes 1;
            pid {{_folder}}/nginx.pid;
            events { worker_connections 512; }
            http {
                client_body_temp_path {{_folder}}/body;
                proxy_temp_path {{_folder}}/proxy;
                fastcgi_temp_path {{_folder}}/fastcgi;
                uwsgi_temp_path {{_folder}}/uwsgi;
                scgi_temp_path {{_folder}}/scgi;
                error_log stderr warn;
            {{site}}
            }
            """;
    }

    [GeneratedRegex(@"server \{\s*listen 80;.*?\n\}\n", RegexOptions.Singleline)]
    private static partial Regex RedirectServer();

    [GeneratedRegex(@"(^ *server 10\.0\.1\.\d+:5080[^\n]*\n)+", RegexOptions.Multiline)]
    private static partial Regex UpstreamServers();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A worker still writing its log as it exits: the folder is in /tmp and small.
        }
    }
}
