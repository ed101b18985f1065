namespace Sendy.Engine.Search;

/// <summary>Whole indices by name: list them, delete one (the retention of the monthly position indices).</summary>
public interface ISearchIndexAdmin
{
    /// <summary>The names of the open and closed indices matching <paramref name="pattern"/> (wildcards allowed); none is an empty list.</summary>
    Task<IReadOnlyList<string>> ListIndicesAsync(string pattern, CancellationToken cancellationToken);

    /// <summary>Deletes the index of exactly this name; false when it was already gone.</summary>
    Task<bool> DeleteIndexAsync(string index, CancellationToken cancellationToken);
}
