using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Streams.InMemory;

/// <summary>
/// The stream port in memory, with Kinesis semantics where the engine depends on them: MD5 hash-key
/// routing, per-shard increasing sequence numbers, iterators, closed shards after a split, and
/// switchable faults (unavailable, throttled, expired iterators) for tests.
/// </summary>
public sealed class InMemoryStream : IStreamWriter, IShardReader
{
    private readonly Lock _gate = new();
    private readonly List<Shard> _shards = [];
    private readonly TimeProvider _time;
    private long _sequence;

    public InMemoryStream(int shardCount, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var max = BigInteger.Pow(2, 128);
        for (var i = 0; i < shardCount; i++)
            _shards.Add(new Shard($"shardId-{i:D12}", max * i / shardCount, max * (i + 1) / shardCount - 1, []));
    }

    /// <summary>When set, every call throws <see cref="StreamUnavailableException"/>.</summary>
    public bool Unavailable { get; set; }

    /// <summary>Number of upcoming GetRecords calls that throw <see cref="ProvisionedThroughputExceededException"/>.</summary>
    public int ThrottleNextReads { get; set; }

    /// <summary>Number of upcoming GetRecords calls that throw <see cref="ExpiredIteratorException"/>.</summary>
    public int ExpireNextIterators { get; set; }

    public int GetRecordsCalls { get; private set; }

    public Task<PutResult> PutAsync(IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        var results = new PutRecordResult[records.Count];
        lock (_gate)
        {
            for (var i = 0; i < records.Count; i++)
            {
                var shard = Route(records[i].PartitionKey);
                var sequence = (++_sequence).ToString("D20", CultureInfo.InvariantCulture);
                shard.Records.Add(new ReceivedRecord(sequence, records[i].PartitionKey, _time.GetUtcNow(), records[i].Data.ToArray()));
                results[i] = new PutRecordResult(shard.Id, sequence);
            }
        }
        return Task.FromResult(new PutResult(results));
    }

    /// <summary>Puts raw bytes, as a foreign producer might (for poison-record tests).</summary>
    public Task<PutResult> PutRawAsync(string partitionKey, byte[] data) =>
        PutAsync([new OutgoingRecord(partitionKey, data)], CancellationToken.None);

    public Task<IReadOnlyList<ShardDescription>> ListShardsAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_gate)
            return Task.FromResult<IReadOnlyList<ShardDescription>>(_shards.Select(s => s.Describe()).ToList());
    }

    public Task<string> GetShardIteratorAsync(string shardId, IteratorStart start, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_gate)
        {
            var shard = Find(shardId);
            if (start.SequenceNumber is { } seq && !IsIssued(seq))
                throw new StreamValidationException(
                    $"StartingSequenceNumber {seq} used in GetShardIterator on shard {shardId} is invalid because it did not come from this stream.",
                    "InvalidArgumentException");
            var position = start.Kind switch
            {
                IteratorKind.TrimHorizon => 0,
                IteratorKind.Latest => shard.Records.Count,
                IteratorKind.AtSequenceNumber => shard.Records.FindIndex(r => string.CompareOrdinal(r.SequenceNumber, start.SequenceNumber) >= 0) is var i and >= 0 ? i : shard.Records.Count,
                IteratorKind.AfterSequenceNumber => shard.Records.FindIndex(r => string.CompareOrdinal(r.SequenceNumber, start.SequenceNumber) > 0) is var j and >= 0 ? j : shard.Records.Count,
                IteratorKind.AtTimestamp => shard.Records.FindIndex(r => r.ApproximateArrival >= start.Timestamp) is var k and >= 0 ? k : shard.Records.Count,
                _ => throw new StreamValidationException($"unknown iterator kind {start.Kind}"),
            };
            return Task.FromResult($"{shardId}|{position}");
        }
    }

    public Task<RecordPage> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_gate)
        {
            GetRecordsCalls++;
            if (ThrottleNextReads > 0)
            {
                ThrottleNextReads--;
                throw new ProvisionedThroughputExceededException("Rate exceeded for shard (in-memory fault)");
            }
            if (ExpireNextIterators > 0)
            {
                ExpireNextIterators--;
                throw new ExpiredIteratorException("Iterator expired (in-memory fault)");
            }
            var parts = shardIterator.Split('|');
            var shard = Find(parts[0]);
            var position = int.Parse(parts[1], CultureInfo.InvariantCulture);
            var page = shard.Records.Skip(position).Take(limit).ToList();
            var next = position + page.Count;
            var ended = shard.Closed && next >= shard.Records.Count;
            var children = ended
                ? _shards.Where(s => s.Parents.Contains(shard.Id)).Select(s => new ChildShardDescription(s.Id, s.Parents)).ToList()
                : [];
            return Task.FromResult(new RecordPage(page, ended ? null : $"{shard.Id}|{next}",
                shard.Records.Count - next == 0 ? 0 : 1000, children));
        }
    }

    /// <summary>Closes a shard and opens two children splitting its hash range, as Kinesis SplitShard does.</summary>
    public (string Left, string Right) Split(string shardId)
    {
        lock (_gate)
        {
            var parent = Find(shardId);
            parent.Closed = true;
            parent.EndingSequence = _sequence.ToString("D20", CultureInfo.InvariantCulture);
            var middle = (parent.Start + parent.End) / 2;
            var left = new Shard($"shardId-{_shards.Count:D12}", parent.Start, middle, [parent.Id]);
            var right = new Shard($"shardId-{_shards.Count + 1:D12}", middle + 1, parent.End, [parent.Id]);
            _shards.Add(left);
            _shards.Add(right);
            return (left.Id, right.Id);
        }
    }

    private bool IsIssued(string sequenceNumber) =>
        long.TryParse(sequenceNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= _sequence;

    private Shard Route(string partitionKey)
    {
        var hash = new BigInteger(MD5.HashData(Encoding.UTF8.GetBytes(partitionKey)), isUnsigned: true, isBigEndian: true);
        return _shards.First(s => !s.Closed && hash >= s.Start && hash <= s.End);
    }

    private Shard Find(string shardId) =>
        _shards.FirstOrDefault(s => s.Id == shardId) ?? throw new ResourceNotFoundException($"Shard {shardId} not found");

    private void ThrowIfUnavailable()
    {
        if (Unavailable) throw new StreamUnavailableException("in-memory stream switched off");
    }

    private sealed class Shard(string id, BigInteger start, BigInteger end, string[] parents)
    {
        public string Id { get; } = id;
        public BigInteger Start { get; } = start;
        public BigInteger End { get; } = end;
        public string[] Parents { get; } = parents;
        public List<ReceivedRecord> Records { get; } = [];
        public bool Closed { get; set; }
        public string? EndingSequence { get; set; }

        public ShardDescription Describe() => new(Id, Parents.ElementAtOrDefault(0), Parents.ElementAtOrDefault(1),
            "0", Closed ? EndingSequence : null);
    }
}
