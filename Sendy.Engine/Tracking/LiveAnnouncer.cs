using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sendy.Engine.Nodes;

namespace Sendy.Engine.Tracking;

/// <summary>
/// Sends fast-path fixes to the other nodes over the <see cref="LiveRelay"/> channel (pg_notify
/// outside any transaction), off the request path: the API never waits for it. Fixes queued while
/// a send is in flight go out together, newest per truck. Best effort: if PostgreSQL is away the
/// fixes still reach other nodes when the consumer stores them.
/// </summary>
public sealed partial class LiveAnnouncer(NpgsqlDataSource dataSource, NodeId node, ILogger<LiveAnnouncer> logger)
    : BackgroundService
{
    private readonly Channel<IReadOnlyList<TruckPosition>> _queue = Channel.CreateBounded<IReadOnlyList<TruckPosition>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Enqueue(IReadOnlyList<TruckPosition> positions)
    {
        if (positions.Count > 0) _queue.Writer.TryWrite(positions);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new List<TruckPosition>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                pending.Clear();
                while (pending.Count < 5_000 && _queue.Reader.TryRead(out var positions)) pending.AddRange(positions);
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                    await LiveRelay.NotifyAsync(connection, null, node, pending, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogAnnounceFailed(logger, pending.Count, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce {Count} fast-path fixes to other nodes; they follow when stored")]
    private static partial void LogAnnounceFailed(ILogger logger, int count, Exception exception);
}
