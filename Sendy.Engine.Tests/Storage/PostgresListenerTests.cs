using Npgsql;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Storage;

/// <summary>
/// A listening connection that goes silent (bytes no longer pass; nothing is closed, as when a NAT
/// drops an idle flow) is found by the listener's own check and replaced, and notifications flow again.
/// </summary>
public sealed class PostgresListenerTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private TcpProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _proxy = new TcpProxy(new NpgsqlConnectionStringBuilder(_db.ConnectionString).Port);
        _proxy.Up();
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task a_silent_connection_is_checked_dropped_and_listening_resumes()
    {
        var through = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Port = _proxy.Port, Pooling = false, Timeout = 3 };
        await using var dataSource = NpgsqlDataSource.Create(through.ConnectionString);
        var payloads = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var listening = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        var lost = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        var listener = PostgresListener.ListenAsync(dataSource, "listener_test", p => payloads.Writer.TryWrite(p),
            (_, ex) => lost.TrySetResult(ex), TimeProvider.System, stop.Token,
            onListening: _ => { listening.Writer.TryWrite(true); return Task.CompletedTask; },
            checkAfter: TimeSpan.FromMilliseconds(500), checkTimeoutSeconds: 1);
        var bounded = TimeSpan.FromSeconds(30);
        try
        {
            await ListensThroughSilenceAsync(listening.Reader, payloads.Reader, lost.Task, bounded);
        }
        finally
        {
            await stop.CancelAsync();
            await listener.WaitAsync(bounded);
        }
    }

    private async Task ListensThroughSilenceAsync(System.Threading.Channels.ChannelReader<bool> listening,
        System.Threading.Channels.ChannelReader<string> payloads, Task<Exception> lost, TimeSpan bounded)
    {
        await listening.ReadAsync().AsTask().WaitAsync(bounded);
        await NotifyAsync("before");
        Assert.Equal("before", await payloads.ReadAsync().AsTask().WaitAsync(bounded));

        _proxy.Latency = TimeSpan.FromMinutes(10); // nothing passes any more; the socket stays open
        await lost.WaitAsync(bounded);
        _proxy.Latency = TimeSpan.Zero;
        await listening.ReadAsync().AsTask().WaitAsync(bounded); // listening again, on a new connection
        await NotifyAsync("after");

        Assert.Equal("after", await payloads.ReadAsync().AsTask().WaitAsync(bounded));
    }

    private async Task NotifyAsync(string payload)
    {
        await using var notify = _db.DataSource.CreateCommand("SELECT pg_notify('listener_test', $1)");
        notify.Parameters.Add(new() { Value = payload });
        await notify.ExecuteNonQueryAsync();
    }
}
