using System.Text.Json;

namespace Sendy.Engine.Search;

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
