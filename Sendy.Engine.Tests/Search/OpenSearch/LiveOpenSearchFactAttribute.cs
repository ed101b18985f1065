namespace Sendy.Engine.Tests.Search.OpenSearch;

/// <summary>
/// A [Fact] that runs only when OPENSEARCH_URL points at a real cluster; otherwise it is reported
/// as skipped with the reason, never silently passed.
/// </summary>
public sealed class LiveOpenSearchFactAttribute : FactAttribute
{
    public static string? Url => Environment.GetEnvironmentVariable("OPENSEARCH_URL") is { Length: > 0 } url ? url : null;

    public LiveOpenSearchFactAttribute()
    {
        if (Url is null)
        {
            Skip = "OPENSEARCH_URL is not set: no OpenSearch server runs in this environment (set it, with OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD if needed, to run against a real cluster)";
        }
    }
}
