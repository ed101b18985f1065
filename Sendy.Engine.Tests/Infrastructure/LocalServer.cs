using System.Net.Sockets;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>Endpoints of the local servers ./sendy.sh test starts, and a reachability check that fails (never skips) with the remedy.</summary>
public static class LocalServer
{
    public static string SnsEndpoint { get; } = Env("SENDY_TEST_SNS_ENDPOINT", "http://127.0.0.1:25000");

    /// <summary>moto's server answers S3 too (it picks the service from the request's signature).</summary>
    public static string S3Endpoint => SnsEndpoint;

    /// <summary>"host:port" of maildev's SMTP side.</summary>
    public static string Smtp { get; } = Env("SENDY_TEST_SMTP", "127.0.0.1:26025");

    public static string MaildevUrl { get; } = Env("SENDY_TEST_MAILDEV_URL", "http://127.0.0.1:26080");

    public static async Task EnsureReachableAsync(string what, string host, int port, string shownAs)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{what} not running at {shownAs}: run ./sendy.sh test ({e.Message})", e);
        }
    }

    public static Task EnsureReachableAsync(string what, string url)
    {
        var uri = new Uri(url);
        return EnsureReachableAsync(what, uri.Host, uri.Port, url);
    }

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
