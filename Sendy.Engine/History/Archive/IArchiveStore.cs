namespace Sendy.Engine.History.Archive;

/// <summary>An object in the archive.</summary>
public sealed record ArchiveObject(string Key, long Bytes);

/// <summary>
/// Where archived days are kept: an S3 bucket (<see cref="S3ArchiveStore"/>) or, in tests, memory.
/// Failures surface as <see cref="ArchiveStoreException"/> after the store's own retries.
/// </summary>
public interface IArchiveStore
{
    /// <summary>Readies the store: the bucket (created when allowed) and the lifecycle rule expiring <paramref name="prefix"/> after <paramref name="keepDays"/> days.</summary>
    Task PrepareAsync(string prefix, int keepDays, CancellationToken cancellationToken);

    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken);

    /// <summary>The whole object, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    Task<IReadOnlyList<ArchiveObject>> ListAsync(string prefix, CancellationToken cancellationToken);

    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}

/// <summary>The archive's store failed (unreachable, refused, or an answer that makes no sense).</summary>
public sealed class ArchiveStoreException(string message, Exception? inner = null) : Exception(message, inner);
