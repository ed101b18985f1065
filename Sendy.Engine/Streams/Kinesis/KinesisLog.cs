using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Streams.Kinesis;

internal static partial class KinesisLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Kinesis {Operation} failed: {ErrorCode} {Message}")]
    public static partial void RequestFailed(ILogger logger, string operation, string? errorCode, string message);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Debug,
        Message = "Kinesis {Operation} refused: {ErrorCode} {Message} (the caller decides what it means)")]
    public static partial void RequestRefused(ILogger logger, string operation, string? errorCode, string message);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information,
        Message = "PutRecords: {Failed} of {Total} records refused ({ErrorCode}); retry {Attempt} of {MaxAttempts} in {Delay}")]
    public static partial void PutRecordsRetrying(ILogger logger, int failed, int total, string? errorCode, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error,
        Message = "PutRecords: giving up, {Failed} of {Total} records still refused after {Attempts} attempts ({ErrorCode})")]
    public static partial void PutRecordsGaveUp(ILogger logger, int failed, int total, int attempts, string? errorCode);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug,
        Message = "Stream {StreamName} is {Status}; waiting for ACTIVE")]
    public static partial void WaitingForStream(ILogger logger, string streamName, string status);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Warning,
        Message = "Stream set-up for {StreamName}: the stream server did not answer ({Reason}); asking again")]
    public static partial void StreamNotAnswering(ILogger logger, string streamName, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information,
        Message = "Created stream {StreamName} with {ShardCount} shards")]
    public static partial void StreamCreated(ILogger logger, string streamName, int shardCount);
}
