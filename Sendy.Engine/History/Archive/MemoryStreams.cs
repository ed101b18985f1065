using System.Runtime.InteropServices;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// Streams over bytes already in memory. An archive object is tens of MB: each copy of one is a
/// large-object-heap allocation, and a handful of them a day made the garbage collector's full
/// collections part of the archive's cost.
/// </summary>
internal static class MemoryStreams
{
    /// <summary>A read-only stream over <paramref name="bytes"/> without copying them (when they are an array's, as ours are).</summary>
    public static MemoryStream ReadOnly(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
