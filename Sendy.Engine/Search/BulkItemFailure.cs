namespace Sendy.Engine.Search;

/// <summary>An item the cluster did not index.</summary>
public sealed record BulkItemFailure(BulkDocument Document, int Status, string? ErrorType, string? Reason);
