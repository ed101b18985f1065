namespace Sendy.Engine.Search;

public sealed record SearchPage<T>(IReadOnlyList<T> Hits, long Total);
