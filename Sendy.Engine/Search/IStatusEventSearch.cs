namespace Sendy.Engine.Search;

/// <summary>The admin log page's query over status events.</summary>
public interface IStatusEventSearch
{
    Task<SearchPage<StatusEventDocument>> SearchAsync(StatusEventQuery query, CancellationToken cancellationToken);
}
