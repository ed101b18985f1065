namespace Sendy.Engine.Streams;

/// <summary>Base of every error the stream service returns.</summary>
public class StreamException(string message, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The service's error code (e.g. Kinesis "__type"), when known.</summary>
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>The shard's read or write throughput was exceeded; retry after a backoff.</summary>
public sealed class ProvisionedThroughputExceededException(string message, Exception? inner = null)
    : StreamException(message, "ProvisionedThroughputExceededException", inner);

/// <summary>The shard iterator expired; get a new one from the checkpoint.</summary>
public sealed class ExpiredIteratorException(string message, Exception? inner = null)
    : StreamException(message, "ExpiredIteratorException", inner);

/// <summary>The stream or shard does not exist.</summary>
public sealed class ResourceNotFoundException(string message, Exception? inner = null)
    : StreamException(message, "ResourceNotFoundException", inner);

/// <summary>The stream already exists or is not ACTIVE for the operation.</summary>
public sealed class ResourceInUseException(string message, Exception? inner = null)
    : StreamException(message, "ResourceInUseException", inner);

/// <summary>The request was invalid (validation, invalid argument, too large).</summary>
public sealed class StreamValidationException(string message, string? errorCode = null, Exception? inner = null)
    : StreamException(message, errorCode ?? "ValidationException", inner);

/// <summary>The stream could not be reached (connection refused, timeout, 5xx) or kept refusing records.</summary>
public sealed class StreamUnavailableException(string message, Exception? inner = null)
    : StreamException(message, "StreamUnavailable", inner);
