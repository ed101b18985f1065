using System.Net;
using System.Net.Sockets;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder that can be switched off (connections refused) and on again, to take a
/// shared local server "down" for one test without stopping it (moto would lose its topics), or
/// made slow: with <see cref="Latency"/> set, every chunk is held that long before it is passed on,
/// in both directions, so each round trip takes at least twice as long.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _targetPort;
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private readonly List<TcpClient> _open = [];

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>Added to every chunk forwarded, from now on, on open connections too.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    private long _latencyTicks;

    public void Up()
    {
        if (_listener is not null) return;
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Refuses new connections and cuts the open ones, as a crashed server would.</summary>
    public void Down()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using var upstream = new TcpClient();
                lock (_open) { _open.Add(client); _open.Add(upstream); }
                try
                {
                    await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, stop);
                    var a = PumpAsync(client.GetStream(), upstream.GetStream(), stop);
                    var b = PumpAsync(upstream.GetStream(), client.GetStream(), stop);
                    await Task.WhenAny(a, b);
                }
                catch (Exception) { }
                finally { client.Dispose(); }
            }, CancellationToken.None);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, stop)) > 0)
        {
            var latency = Latency;
            // A slow network, not a test's wait: the chunk arrives late, nothing is asserted on time here.
            if (latency > TimeSpan.Zero) await Task.Delay(latency, stop);
            await to.WriteAsync(buffer.AsMemory(0, read), stop);
        }
    }

    public ValueTask DisposeAsync()
    {
        Down();
        return ValueTask.CompletedTask;
    }
}
