using System.Text;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;
using Sendy.Engine.Tests.Infrastructure;
using static Sendy.Engine.Tests.Streams.Kinesis.KinesaliteTestHelpers;

namespace Sendy.Engine.Tests.Streams.Kinesis;

/// <summary>PutRecords and reading back with every iterator type, against the real kinesalite.</summary>
public sealed class KinesaliteReadWriteTests(KinesaliteFixture stream) : IClassFixture<KinesaliteFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static string UniqueKey() => "truck-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(PutResult Result, List<ReceivedRecord> Shard)> PutAndReadAsync(string key, params string[] data)
    {
        PutResult result = await stream.Writer.PutAsync(data.Select(d => Record(key, d)).ToArray(), None);
        List<ReceivedRecord> shard = await ReadAllAsync(stream.Reader, result.Records[0].ShardId, IteratorStart.TrimHorizon);
        return (result, shard.Where(r => r.PartitionKey == key).ToList());
    }

    [Fact]
    public async Task trim_horizon_reads_back_what_was_put_in_order()
    {
        string key = UniqueKey();
        (PutResult result, List<ReceivedRecord> read) = await PutAndReadAsync(key, "a", "b", "ü-ß-\u1234");

        Assert.Equal(["a", "b", "ü-ß-\u1234"], read.Select(Text));
        Assert.Equal(result.Records.Select(r => r.SequenceNumber), read.Select(r => r.SequenceNumber));
        Assert.All(read, r => Assert.InRange(r.ApproximateArrival, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5)));
    }

    [Fact]
    public async Task latest_sees_only_records_put_after_the_iterator()
    {
        string key = UniqueKey();
        PutResult before = await stream.Writer.PutAsync([Record(key, "before")], None);
        string shardId = before.Records[0].ShardId;
        string iterator = await stream.Reader.GetShardIteratorAsync(shardId, IteratorStart.Latest, None);

        await stream.Writer.PutAsync([Record(key, "after")], None);
        RecordPage page = await stream.Reader.GetRecordsAsync(iterator, 100, None);

        Assert.Equal(["after"], page.Records.Where(r => r.PartitionKey == key).Select(Text));
        Assert.NotNull(page.NextIterator);
        Assert.Empty(page.ChildShards);
    }

    [Fact]
    public async Task at_sequence_number_includes_and_after_sequence_number_excludes_that_record()
    {
        string key = UniqueKey();
        PutResult put = await stream.Writer.PutAsync([Record(key, "r0"), Record(key, "r1"), Record(key, "r2")], None);
        string shardId = put.Records[0].ShardId;
        string middle = put.Records[1].SequenceNumber;

        List<ReceivedRecord> at = await ReadAllAsync(stream.Reader, shardId, IteratorStart.At(middle));
        List<ReceivedRecord> after = await ReadAllAsync(stream.Reader, shardId, IteratorStart.After(middle));

        Assert.Equal(["r1", "r2"], at.Where(r => r.PartitionKey == key).Select(Text));
        Assert.Equal(["r2"], after.Where(r => r.PartitionKey == key).Select(Text));
    }

    [Fact]
    public async Task at_timestamp_starts_at_the_first_record_arriving_at_or_after_it()
    {
        string key = UniqueKey();
        PutResult first = await stream.Writer.PutAsync([Record(key, "early")], None);
        // kinesalite stamps arrival from this machine's clock in whole milliseconds, before it answers
        // the put. Once that clock is a millisecond past the answer, a later put lands in a later millisecond.
        DateTimeOffset firstAnswered = DateTimeOffset.UtcNow;
        await Eventually.ReachesAsync(() => Task.FromResult(DateTimeOffset.UtcNow), now => now >= firstAnswered.AddMilliseconds(1),
            "the clock a millisecond past the first put");
        await stream.Writer.PutAsync([Record(key, "late")], None);
        string shardId = first.Records[0].ShardId;
        List<ReceivedRecord> all = (await ReadAllAsync(stream.Reader, shardId, IteratorStart.TrimHorizon)).Where(r => r.PartitionKey == key).ToList();
        DateTimeOffset lateArrival = all.Single(r => Text(r) == "late").ApproximateArrival;
        Assert.True(lateArrival > all.Single(r => Text(r) == "early").ApproximateArrival);

        // Both arrive within one second: the fraction of the timestamp must reach the server.
        List<ReceivedRecord> fromLate = await ReadAllAsync(stream.Reader, shardId, IteratorStart.AtTime(lateArrival));

        Assert.Equal(["late"], fromLate.Where(r => r.PartitionKey == key).Select(Text));
    }

    [Fact]
    public async Task partition_keys_route_to_shards_and_one_key_always_to_the_same_shard()
    {
        OutgoingRecord[] records = Enumerable.Range(0, 200).Select(i => Record($"key-{i % 40}", $"v{i}")).ToArray();

        PutResult result = await stream.Writer.PutAsync(records, None);

        var shardByKey = new Dictionary<string, string>();
        for (int i = 0; i < records.Length; i++)
        {
            string shard = result.Records[i].ShardId;
            Assert.Equal(shardByKey.TryAdd(records[i].PartitionKey, shard) ? shard : shardByKey[records[i].PartitionKey], shard);
        }

        Assert.True(shardByKey.Values.Distinct().Count() > 1, "40 keys all hashed to one shard");

        // The shard reported for a record is where it is read from.
        string probeShard = result.Records[7].ShardId;
        List<ReceivedRecord> shardRecords = await ReadAllAsync(stream.Reader, probeShard, IteratorStart.TrimHorizon);
        Assert.Contains(shardRecords, r => r.SequenceNumber == result.Records[7].SequenceNumber && Text(r) == "v7");
    }

    [Fact]
    public async Task more_than_500_records_are_split_into_calls_and_results_keep_input_order()
    {
        string prefix = Guid.NewGuid().ToString("N")[..6];
        OutgoingRecord[] records = Enumerable.Range(0, 1203).Select(i => Record($"{prefix}-{i % 97}", $"{prefix}:{i}")).ToArray();

        PutResult result = await stream.Writer.PutAsync(records, None);

        Assert.Equal(records.Length, result.Records.Count);
        var read = new Dictionary<string, ReceivedRecord>();
        foreach (ShardDescription shard in await stream.Reader.ListShardsAsync(None))
        {
            foreach (ReceivedRecord r in await ReadAllAsync(stream.Reader, shard.ShardId, IteratorStart.TrimHorizon, 10_000))
            {
                read[r.SequenceNumber] = r;
            }
        }

        for (int i = 0; i < records.Length; i++)
        {
            ReceivedRecord back = read[result.Records[i].SequenceNumber];
            Assert.Equal($"{prefix}:{i}", Text(back));
            Assert.Equal(records[i].PartitionKey, back.PartitionKey);
        }
    }

    [Fact]
    public async Task binary_data_round_trips_byte_for_byte()
    {
        byte[] data = new byte[64 * 1024];
        new Random(42).NextBytes(data);
        string key = UniqueKey();

        PutResult result = await stream.Writer.PutAsync([new OutgoingRecord(key, data)], None);
        List<ReceivedRecord> read = await ReadAllAsync(stream.Reader, result.Records[0].ShardId, IteratorStart.At(result.Records[0].SequenceNumber), 1);

        Assert.Equal(data, read[0].Data.ToArray());
    }

    [Fact]
    public async Task an_oversized_record_is_refused_before_sending()
    {
        var record = new OutgoingRecord("k", new byte[1024 * 1024]);
        await Assert.ThrowsAsync<StreamValidationException>(() => stream.Writer.PutAsync([record], None));
        await Assert.ThrowsAsync<StreamValidationException>(() => stream.Writer.PutAsync([new OutgoingRecord("", Encoding.UTF8.GetBytes("x"))], None));
    }
}
