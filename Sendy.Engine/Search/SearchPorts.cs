using System.Text.Json;

namespace Sendy.Engine.Search;

/// <summary>Creates or updates the index templates (status events, monthly position indices). Idempotent.</summary>
public interface ISearchIndexSetup
{
    Task PutIndexTemplatesAsync(CancellationToken cancellationToken);
}

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

/// <summary>The admin log page's query over status events.</summary>
public interface IStatusEventSearch
{
    Task<SearchPage<StatusEventDocument>> SearchAsync(StatusEventQuery query, CancellationToken cancellationToken);
}

/// <summary>One document to index under a stable id (re-indexing the same id overwrites: idempotent).</summary>
public sealed record BulkDocument(string Index, string Id, ReadOnlyMemory<byte> SourceJson)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static BulkDocument Create<T>(string index, string id, T source) =>
        new(index, id, JsonSerializer.SerializeToUtf8Bytes(source, Json));
}

/// <summary>An item the cluster did not index.</summary>
public sealed record BulkItemFailure(BulkDocument Document, int Status, string? ErrorType, string? Reason);

public sealed record BulkIndexResult(
    int Indexed,
    IReadOnlyList<BulkItemFailure> Rejected,
    IReadOnlyList<BulkItemFailure> StillRetryable)
{
    public bool AllIndexed => Rejected.Count == 0 && StillRetryable.Count == 0;
}

/// <summary>A status change as indexed in "sendy-status-events" (snake_case fields).</summary>
public sealed record StatusEventDocument(
    string EventId,
    string DeliveryId,
    string DeliveryShortId,
    string? TruckId,
    string Status,
    DateTimeOffset OccurredAt,
    string? Note = null,
    string? Actor = null);

/// <summary>A position as indexed in "sendy-positions-YYYY.MM"; <see cref="Location"/> is a geo_point.</summary>
public sealed record PositionDocument(
    string TruckId,
    GeoPoint Location,
    DateTimeOffset DeviceTime,
    DateTimeOffset ReceivedAt,
    double? SpeedKmh = null,
    double? HeadingDeg = null,
    double? AccuracyM = null);

public sealed record GeoPoint(double Lat, double Lon);

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

public sealed record SearchPage<T>(IReadOnlyList<T> Hits, long Total);
