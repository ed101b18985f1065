namespace Sendy.Engine.Streams;

/// <summary>Writes records to the stream. Returns only when every record was acknowledged.</summary>
public interface IStreamWriter
{
    /// <summary>
    /// Puts all records (partial failures are retried). Throws <see cref="StreamUnavailableException"/>
    /// when the stream cannot be reached or keeps refusing within the retry budget.
    /// </summary>
    Task<PutResult> PutAsync(IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken);
}

/// <summary>Reads shards of the stream.</summary>
public interface IShardReader
{
    Task<IReadOnlyList<ShardDescription>> ListShardsAsync(CancellationToken cancellationToken);

    Task<string> GetShardIteratorAsync(string shardId, IteratorStart start, CancellationToken cancellationToken);

    Task<RecordPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken);
}
