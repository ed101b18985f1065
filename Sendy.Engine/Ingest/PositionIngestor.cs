using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>Turns validated fixes into stream records (partition key = truck id) and puts them; returns once the stream acknowledged all.</summary>
public sealed class PositionIngestor(IStreamWriter stream, TimeProvider time)
{
    public async Task<IngestResult> IngestAsync(string truckId, IReadOnlyList<FixDto?> fixes, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var records = new OutgoingRecord[fixes.Count];
        for (var i = 0; i < fixes.Count; i++)
        {
            var f = fixes[i]!;
            var position = new TruckPosition(truckId, f.Lat!.Value, f.Lon!.Value, f.RecordedAt!.Value.ToUniversalTime(),
                receivedAt, f.Speed, f.Heading, f.Accuracy);
            records[i] = new OutgoingRecord(truckId, PositionRecordCodec.Encode(position));
        }
        await stream.PutAsync(records, cancellationToken);
        return new IngestResult(records.Length);
    }
}
