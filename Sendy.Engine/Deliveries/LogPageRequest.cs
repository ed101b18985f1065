namespace Sendy.Engine.Deliveries;

/// <summary>One page of a log: zero-based page index, at most <see cref="MaxPageSize"/> rows.</summary>
public sealed record LogPageRequest<TSort>(TSort Sort, bool Descending, int Page, int PageSize) where TSort : struct, Enum
{
    public const int MaxPageSize = 200;
}
