namespace Sendy.Engine.Search;

/// <summary>Filters are ANDed; null means "any". Time range is [From, To).</summary>
public sealed record StatusEventQuery(
    string? DeliveryId = null,
    string? TruckId = null,
    string? Status = null,
    DateTimeOffset? FromTime = null,
    DateTimeOffset? ToTime = null,
    bool NewestFirst = true,
    int From = 0,
    int Size = 50);
