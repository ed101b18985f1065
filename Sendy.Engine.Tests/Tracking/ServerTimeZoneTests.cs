using System.Text;
using System.Text.Json;
using Sendy.Engine.Ingest;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Tests.Tracking;

/// <summary>Runs alone: it changes this process's local time zone, which every other test would see.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTimeZoneCollection
{
    public const string Name = "process time zone";
}

/// <summary>
/// The same record and the same fix read the same on a server in Seoul and one in Honolulu, and an
/// offset-less time is refused on both (System.Text.Json alone would read it in the local zone).
/// </summary>
[Collection(ProcessTimeZoneCollection.Name)]
public sealed class ServerTimeZoneTests
{
    private static readonly DateTimeOffset Arrival = new(2026, 12, 5, 11, 0, 0, TimeSpan.Zero);

    [Fact]
    public void times_read_the_same_whatever_the_servers_zone()
    {
        var results = new Dictionary<string, (DateTimeOffset Plain, DecodeResult WithOffset, DecodeResult Without, string? FixError)>();
        foreach (var zone in new[] { "Asia/Seoul", "Pacific/Honolulu" })
        {
            using (LocalZone(zone))
            {
                results[zone] = (
                    JsonSerializer.Deserialize<DateTimeOffset>("\"2026-12-05T10:00:00\""),
                    Decode("2026-12-05T19:00:00+09:00"),
                    Decode("2026-12-05T10:00:00"),
                    FixError("""{"fixes":[{"lat":1,"lon":1,"recordedAt":"2026-12-05T10:00:00"}]}"""));
            }
        }

        var (seoul, honolulu) = (results["Asia/Seoul"], results["Pacific/Honolulu"]);
        // The zone switch took effect: the framework's own reading differs by the zones' 19 hours.
        Assert.Equal(TimeSpan.FromHours(19), honolulu.Plain - seoul.Plain);

        var expected = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, seoul.WithOffset.Position?.RecordedAt);
        Assert.Equal(expected, honolulu.WithOffset.Position?.RecordedAt);
        foreach (var r in new[] { seoul, honolulu })
        {
            Assert.Null(r.Without.Position);
            Assert.Contains("recordedAt has no UTC offset", r.Without.Error);
            Assert.Equal("$.fixes[0].recordedAt", r.FixError);
        }
    }

    private static DecodeResult Decode(string time) =>
        PositionRecordCodec.Decode(Encoding.UTF8.GetBytes($$"""{"v":1,"truckId":"a","lat":1,"lon":1,"recordedAt":"{{time}}"}"""), Arrival);

    /// <summary>The path of the refused field, or null when the batch read.</summary>
    private static string? FixError(string json)
    {
        try
        {
            JsonSerializer.Deserialize(json, IngestJson.Default.FixBatchDto);
            return null;
        }
        catch (MissingUtcOffsetException ex)
        {
            return ex.Path;
        }
    }

    private static IDisposable LocalZone(string zone)
    {
        var before = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", zone);
        TimeZoneInfo.ClearCachedData();
        Assert.Equal(zone, TimeZoneInfo.Local.Id);
        return new Restore(before);
    }

    private sealed class Restore(string? tz) : IDisposable
    {
        public void Dispose()
        {
            Environment.SetEnvironmentVariable("TZ", tz);
            TimeZoneInfo.ClearCachedData();
        }
    }
}
