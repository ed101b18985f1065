using System.Text.Json.Serialization;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>
/// One fix as a driver's page or a producer posts it. All fields nullable so validation can name what is missing;
/// a time without its UTC offset fails to read (<see cref="MissingUtcOffsetException"/>), it is never taken in the server's zone.
/// </summary>
public sealed record FixDto(
    [property: JsonPropertyName("truckId")] string? TruckId,
    [property: JsonPropertyName("lat")] double? Lat,
    [property: JsonPropertyName("lon")] double? Lon,
    [property: JsonPropertyName("recordedAt"), JsonConverter(typeof(OffsetRequiredTimeConverter))] DateTimeOffset? RecordedAt,
    [property: JsonPropertyName("speed")] double? Speed,
    [property: JsonPropertyName("heading")] double? Heading,
    [property: JsonPropertyName("accuracy")] double? Accuracy);

public sealed record FixBatchDto([property: JsonPropertyName("fixes")] IReadOnlyList<FixDto?>? Fixes);

[JsonSerializable(typeof(FixBatchDto))]
[JsonSerializable(typeof(IReadOnlyList<FixDto?>))]
public sealed partial class IngestJson : JsonSerializerContext;

public sealed record IngestResult(int Accepted);
