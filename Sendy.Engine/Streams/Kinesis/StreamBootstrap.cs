using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>
/// Local set-up only (Sendy:Stream:CreateIfMissing): creates the stream if absent and waits until it
/// is ACTIVE before the consumer starts. In AWS the stream is provisioned outside the app.
/// </summary>
public sealed partial class StreamBootstrap(KinesisStreamAdmin admin, ILogger<StreamBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var summary = await admin.EnsureStreamAsync(TimeSpan.FromSeconds(60), cancellationToken);
        LogReady(logger, summary.StreamName, summary.OpenShardCount);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamName} is ACTIVE with {Shards} open shard(s)")]
    private static partial void LogReady(ILogger logger, string streamName, int shards);
}
