namespace Sendy.Engine.Search;

/// <summary>Base of every failure the search adapter reports; <see cref="IsTransient"/> tells a job whether to retry.</summary>
public abstract class SearchException(string message, string? errorType, Exception? inner)
    : Exception(message, inner)
{
    /// <summary>OpenSearch's error type (e.g. "mapper_parsing_exception") or "Http{status}", when known.</summary>
    public string? ErrorType { get; } = errorType;

    public abstract bool IsTransient { get; }
}

/// <summary>Unreachable, timed out, 429 or 5xx: retry later with backoff.</summary>
public sealed class SearchTransientException(string message, string? errorType = null, Exception? inner = null)
    : SearchException(message, errorType, inner)
{
    public override bool IsTransient => true;
}

/// <summary>The cluster refused the request itself (bad query, mapping, auth): retrying will not help.</summary>
public sealed class SearchRejectedException(string message, string? errorType = null, Exception? inner = null)
    : SearchException(message, errorType, inner)
{
    public override bool IsTransient => false;
}
