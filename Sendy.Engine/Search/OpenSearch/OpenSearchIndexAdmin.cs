using System.Text.Json;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary>
/// <see cref="ISearchIndexAdmin"/> over <c>GET /_cat/indices/{pattern}?format=json&amp;h=index</c>
/// (open and closed indices: a closed one still holds its documents) and <c>DELETE /{index}</c>.
/// A delete answered 404 (index_not_found_exception) means the index is gone already.
/// </summary>
public sealed class OpenSearchIndexAdmin(OpenSearchClient client) : ISearchIndexAdmin
{
    public async Task<IReadOnlyList<string>> ListIndicesAsync(string pattern, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var path = $"/_cat/indices/{Escape(pattern)}?format=json&h=index&expand_wildcards=open,closed";
        using JsonDocument answer = await client.SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        if (answer.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new SearchTransientException($"OpenSearch GET /_cat/indices/{pattern}: expected a JSON array, got {answer.RootElement.ValueKind}", "InvalidResponse");
        }

        var names = new List<string>();
        foreach (JsonElement row in answer.RootElement.EnumerateArray())
        {
            if (row.ValueKind == JsonValueKind.Object && row.TryGetProperty("index"u8, out JsonElement name) && name.GetString() is { Length: > 0 } index)
            {
                names.Add(index);
            }
        }

        return names;
    }

    public async Task<bool> DeleteIndexAsync(string index, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        if (index.Contains('*', StringComparison.Ordinal) || index.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Deletes one index by its exact name, not a pattern: '{index}'.", nameof(index));
        }

        try
        {
            using var _ = await client.SendAsync(HttpMethod.Delete, "/" + Uri.EscapeDataString(index), null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SearchRejectedException e) when (e.ErrorType is "index_not_found_exception" or "Http404")
        {
            // Already gone: deleted by hand, by another node's run, or by a first attempt whose answer was lost.
            return false;
        }
    }

    /// <summary>Escapes each name of the pattern but keeps its wildcards.</summary>
    private static string Escape(string pattern) => string.Join('*', pattern.Split('*').Select(Uri.EscapeDataString));
}
