using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>
/// Local set-up only (Sendy:Stream:CreateIfMissing): creates the stream if absent and waits until
/// it is ACTIVE before the consumer starts, then keeps watching: kinesalite keeps streams in memory,
/// so after it restarts the stream is recreated (the consumer then finds its checkpoints rejected
/// and restarts those shards from TRIM_HORIZON). In AWS the stream is provisioned outside the app.
/// </summary>
public sealed partial class StreamBootstrap(KinesisStreamAdmin admin, TimeProvider time, ILogger<StreamBootstrap> logger) : BackgroundService
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var summary = await admin.EnsureStreamAsync(TimeSpan.FromSeconds(60), cancellationToken);
        LogReady(logger, summary.StreamName, summary.OpenShardCount);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(WatchInterval, time, stoppingToken);
                await admin.DescribeStreamSummaryAsync(stoppingToken);
            }
            catch (ResourceNotFoundException)
            {
                LogRecreating(logger);
                try
                {
                    await admin.EnsureStreamAsync(TimeSpan.FromSeconds(30), stoppingToken);
                }
                catch (StreamException ex)
                {
                    LogWatchFailed(logger, ex.Message);
                }
            }
            catch (StreamException ex)
            {
                LogWatchFailed(logger, ex.Message); // stream server down: keep watching
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamName} is ACTIVE with {Shards} open shard(s)")]
    private static partial void LogReady(ILogger logger, string streamName, int shards);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream is gone (local stream server restarted?); recreating it")]
    private static partial void LogRecreating(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the local stream failed: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string reason);
}
