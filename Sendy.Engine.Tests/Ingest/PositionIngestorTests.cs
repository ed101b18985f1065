using Sendy.Engine.Ingest;
using Sendy.Engine.Streams;
using Sendy.Engine.Streams.InMemory;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Ingest;

/// <summary>The ingestor tells the live fast path about fixes only once the stream acknowledged them.</summary>
public sealed class PositionIngestorTests
{
    private sealed class RecordingListener(InMemoryStream stream) : IAcceptedPositionsListener
    {
        public List<(TruckPosition Position, int RecordsInStreamThen)> Heard { get; } = [];

        public void OnAccepted(IReadOnlyList<TruckPosition> positions)
        {
            var inStream = CountRecords(stream);
            foreach (var p in positions) Heard.Add((p, inStream));
        }
    }

    private static int CountRecords(InMemoryStream stream)
    {
        var total = 0;
        foreach (var shard in stream.ListShardsAsync(default).Result)
        {
            var it = stream.GetShardIteratorAsync(shard.ShardId, IteratorStart.TrimHorizon, default).Result;
            total += stream.GetRecordsAsync(it, 10_000, default).Result.Records.Count;
        }
        return total;
    }

    private static FixDto Fix(double lat, int secondsAgo) => new(null, lat, 127, DateTimeOffset.UtcNow.AddSeconds(-secondsAgo), 12, 90, 5);

    [Fact]
    public async Task acknowledged_fixes_reach_the_listener_after_the_stream_holds_them()
    {
        var stream = new InMemoryStream(2);
        var listener = new RecordingListener(stream);
        var ingestor = new PositionIngestor(stream, TimeProvider.System, listener);

        await ingestor.IngestAsync("T-1", [Fix(37.1, 2), Fix(37.2, 1)], default);

        Assert.Equal([37.1, 37.2], listener.Heard.Select(h => h.Position.Latitude));
        Assert.All(listener.Heard, h => Assert.Equal("T-1", h.Position.TruckId));
        Assert.All(listener.Heard, h => Assert.Equal(2, h.RecordsInStreamThen));
    }

    [Fact]
    public async Task a_refused_put_tells_the_listener_nothing()
    {
        var stream = new InMemoryStream(2) { Unavailable = true };
        var listener = new RecordingListener(stream);
        var ingestor = new PositionIngestor(stream, TimeProvider.System, listener);

        await Assert.ThrowsAsync<StreamUnavailableException>(() => ingestor.IngestAsync("T-1", [Fix(37.1, 1)], default));

        Assert.Empty(listener.Heard);
    }
}
