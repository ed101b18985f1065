using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sendy.Engine.History.Archive;

/// <summary>One archived object of a day: its key, rows, size and SHA-256 (hex).</summary>
public sealed record ArchiveManifestObject(string Key, long Rows, long Bytes, string Sha256);

/// <summary>
/// A day's manifest, <c>{prefix}/date=YYYY-MM-DD/_manifest.json</c>: the objects that make the day
/// (readers such as Athena and Spark skip names starting with "_"), their rows, sizes and SHA-256.
/// Written last, after every object was read back and checked: a day without one is not archived.
/// </summary>
public sealed record ArchiveManifest(int Version, DateOnly Day, long Rows, DateTimeOffset CreatedAt, IReadOnlyList<ArchiveManifestObject> Objects)
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The manifest in <paramref name="json"/>; a clear <see cref="InvalidDataException"/> when it is not one.</summary>
    public static ArchiveManifest Parse(ReadOnlySpan<byte> json)
    {
        ArchiveManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArchiveManifest>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The archive manifest is not valid JSON: {ex.Message}", ex);
        }
        if (manifest is null || manifest.Objects is null || manifest.Version != CurrentVersion)
            throw new InvalidDataException($"The archive manifest is not a version {CurrentVersion} manifest.");
        if (manifest.Objects.Sum(o => o.Rows) != manifest.Rows)
            throw new InvalidDataException($"The archive manifest of {manifest.Day:yyyy-MM-dd} says {manifest.Rows} rows but its objects add up to {manifest.Objects.Sum(o => o.Rows)}.");
        return manifest;
    }
}
