using Microsoft.Extensions.Logging;

namespace Sendy.Engine.Search.OpenSearch;

internal static partial class OpenSearchLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "OpenSearch {Method} {Path} failed: {ErrorType} {Message}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, string? errorType, string message);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information,
        Message = "_bulk: {Retryable} of {Total} items refused for now ({ErrorType}); round {Attempt} of {MaxAttempts} in {Delay}")]
    public static partial void BulkRetrying(ILogger logger, int retryable, int total, string? errorType, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning,
        Message = "_bulk: {Rejected} item(s) rejected for good, {StillRetryable} still refused after {Attempts} rounds")]
    public static partial void BulkIncomplete(ILogger logger, int rejected, int stillRetryable, int attempts);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Information, Message = "OpenSearch index template {Name} put")]
    public static partial void TemplatePut(ILogger logger, string name);
}
