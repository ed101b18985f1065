namespace Sendy.Engine.Search;

/// <summary>
/// Bulk indexing. Items the cluster refuses for a while (429, 503, rejected execution) are retried
/// with backoff within a budget; the result says which were indexed, which were refused for good
/// (dead-letter them) and which were still refused when the budget ran out (retry the job later).
/// Whole-request failures throw <see cref="SearchException"/>.
/// </summary>
public interface IBulkIndexer
{
    Task<BulkIndexResult> IndexAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken);
}
