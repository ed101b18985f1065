using System.Text;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

public sealed class PositionRecordCodecTests
{
    private static readonly DateTimeOffset Arrival = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void encode_then_decode_round_trips()
    {
        var p = new TruckPosition("KR-1", 37.5665, 126.978, Arrival.AddSeconds(-3), Arrival, 22.5, 181, 4);
        var decoded = PositionRecordCodec.Decode(PositionRecordCodec.Encode(p), Arrival.AddHours(1));
        Assert.Equal(p, decoded.Position);
    }

    [Fact]
    public void a_producer_without_receivedAt_gets_the_stream_arrival_time()
    {
        var json = """{"v":1,"truckId":"KR-1","lat":35.1,"lon":129.0,"recordedAt":"2026-11-25T00:59:00+09:00"}""";
        var decoded = PositionRecordCodec.Decode(Encoding.UTF8.GetBytes(json), Arrival);
        Assert.Equal(Arrival, decoded.Position!.ReceivedAt);
        Assert.Equal(TimeSpan.Zero, decoded.Position.RecordedAt.Offset);
    }

    [Theory]
    [InlineData("", "not a position record")]
    [InlineData("garbage", "not a position record")]
    [InlineData("null", "JSON null")]
    [InlineData("[1,2]", "not a position record")]
    [InlineData("""{"v":2,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-01-01T00:00:00Z"}""", "version 2")]
    [InlineData("""{"v":1,"lat":1,"lon":1,"recordedAt":"2026-01-01T00:00:00Z"}""", "truckId")]
    [InlineData("""{"v":1,"truckId":"a","lat":91,"lon":1,"recordedAt":"2026-01-01T00:00:00Z"}""", "lat")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":-181,"recordedAt":"2026-01-01T00:00:00Z"}""", "lon")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1}""", "recordedAt")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-01-01T00:00:00Z","speed":-4}""", "speed")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-01-01T00:00:00Z","heading":720}""", "heading")]
    [InlineData("""{"v":1,"truckId":"a","lat":"x","lon":1,"recordedAt":"2026-01-01T00:00:00Z"}""", "not a position record")]
    public void poison_records_are_named_not_thrown(string json, string reason)
    {
        var decoded = PositionRecordCodec.Decode(Encoding.UTF8.GetBytes(json), Arrival);
        Assert.Null(decoded.Position);
        Assert.Contains(reason, decoded.Error);
    }

    [Theory]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-12-05T10:00:00"}""", "recordedAt has no UTC offset")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-12-05T10:00:00.5"}""", "recordedAt has no UTC offset")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-12-05"}""", "recordedAt has no UTC offset")]
    [InlineData("""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"2026-12-05T10:00:00Z","receivedAt":"2026-12-05T10:00:01"}""", "receivedAt has no UTC offset")]
    public void a_time_without_utc_offset_is_poison_with_the_field_named(string json, string reason)
    {
        var decoded = PositionRecordCodec.Decode(Encoding.UTF8.GetBytes(json), Arrival);
        Assert.Null(decoded.Position);
        Assert.Contains(reason, decoded.Error);
    }

    [Theory]
    [InlineData("2026-12-05T10:00:00Z")]
    [InlineData("2026-12-05T19:00:00+09:00")]
    [InlineData("2026-12-05T06:30:00.000-03:30")]
    [InlineData("2026-12-05T10:00:00\u002B00:00")]
    public void a_time_with_an_offset_reads_as_the_same_instant(string time)
    {
        var json = $$"""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"{{time}}"}""";
        var decoded = PositionRecordCodec.Decode(Encoding.UTF8.GetBytes(json), Arrival);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), decoded.Position?.RecordedAt);
    }

    [Fact]
    public void invalid_utf8_is_poison()
    {
        var decoded = PositionRecordCodec.Decode(new byte[] { 0xff, 0xfe, 0x00, 0x7b }, Arrival);
        Assert.Null(decoded.Position);
        Assert.NotNull(decoded.Error);
    }
}
