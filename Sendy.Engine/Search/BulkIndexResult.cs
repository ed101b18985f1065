namespace Sendy.Engine.Search;

public sealed record BulkIndexResult(
    int Indexed,
    IReadOnlyList<BulkItemFailure> Rejected,
    IReadOnlyList<BulkItemFailure> StillRetryable)
{
    public bool AllIndexed => Rejected.Count == 0 && StillRetryable.Count == 0;
}
