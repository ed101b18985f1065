namespace Sendy.Engine.Search;

/// <summary>Creates or updates the index templates (status events, monthly position indices). Idempotent.</summary>
public interface ISearchIndexSetup
{
    Task PutIndexTemplatesAsync(CancellationToken cancellationToken);
}
