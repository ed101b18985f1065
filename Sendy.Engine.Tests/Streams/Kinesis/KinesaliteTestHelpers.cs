using System.Text;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.Kinesis;

namespace Sendy.Engine.Tests.Streams.Kinesis;

internal static class KinesaliteTestHelpers
{
    public static OutgoingRecord Record(string partitionKey, string data) => new(partitionKey, Encoding.UTF8.GetBytes(data));

    public static string Text(ReceivedRecord record) => Encoding.UTF8.GetString(record.Data.Span);

    /// <summary>Reads a shard from <paramref name="start"/> until a page comes back empty.</summary>
    public static async Task<List<ReceivedRecord>> ReadAllAsync(KinesisShardReader reader, string shardId, IteratorStart start, int limit = 1000)
    {
        var records = new List<ReceivedRecord>();
        string? iterator = await reader.GetShardIteratorAsync(shardId, start, CancellationToken.None);
        while (iterator is not null)
        {
            RecordPage page = await reader.GetRecordsAsync(iterator, limit, CancellationToken.None);
            records.AddRange(page.Records);
            if (page.Records.Count == 0)
            {
                break;
            }

            iterator = page.NextIterator;
        }

        return records;
    }
}
