using Sendy.Engine.Streams;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>
/// Turns validated fixes into stream records (partition key = truck id) and puts them; returns once the
/// stream acknowledged all, after telling <paramref name="accepted"/> (the live fast path) about them.
/// </summary>
public sealed class PositionIngestor(IStreamWriter stream, TimeProvider time, IAcceptedPositionsListener? accepted = null)
{
    public async Task<IngestResult> IngestAsync(string truckId, IReadOnlyList<FixDto?> fixes, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var records = new OutgoingRecord[fixes.Count];
        var positions = new TruckPosition[fixes.Count];
        for (var i = 0; i < fixes.Count; i++)
        {
            var f = fixes[i]!;
            var position = new TruckPosition(truckId, f.Lat!.Value, f.Lon!.Value, f.RecordedAt!.Value.ToUniversalTime(),
                receivedAt, f.Speed, f.Heading, f.Accuracy);
            positions[i] = position;
            records[i] = new OutgoingRecord(truckId, PositionRecordCodec.Encode(position));
        }
        // Throws unless every record was acknowledged: nothing refused reaches the listener.
        await stream.PutAsync(records, cancellationToken);
        accepted?.OnAccepted(positions);
        return new IngestResult(records.Length);
    }
}
