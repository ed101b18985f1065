using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using NetTopologySuite.IO;
using Sendy.Engine.Exports;

namespace Sendy.Engine.Tests.Exports;

/// <summary>
/// The track files themselves: CSV with every fix and its flag, GPX 1.1 read back by
/// NetTopologySuite.IO.GPX point by point, and both written while the fixes still come in.
/// </summary>
public sealed class TrackFormatsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 23, 59, 0, TimeSpan.Zero);

    private static readonly TrackPoint[] Points =
    [
        new(T0, 37.5665, 126.978, 12.25, 90, 4.5, null, T0.AddSeconds(1)),
        new(T0.AddSeconds(30.5), 37.56655, 126.97805, null, null, null, null, T0.AddSeconds(31)),
        new(T0.AddSeconds(45), 35.1796, 129.0756, 260, 180, 30, "jump: 960 km/h, from 37.5666,126.9781", T0.AddSeconds(46)),
        new(T0.AddMinutes(1), 0.00001, -0.000001, 0, 0, 1000.125, null, T0.AddMinutes(1).AddMilliseconds(250)),
    ];

    private static async IAsyncEnumerable<TrackPoint> Stream(IEnumerable<TrackPoint> points, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var p in points)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return p;
        }
    }

    [Fact]
    public async Task csv_has_a_header_and_every_fix_in_order_with_its_quality_flag()
    {
        using var output = new MemoryStream();
        var progress = new ExportProgress();
        await TrackCsv.WriteAsync(output, "T-1", Stream(Points), progress, default);

        var bytes = output.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal(
        [
            "truck_id,recorded_at_utc,latitude,longitude,speed_mps,heading_degrees,accuracy_m,quality_flag,received_at_utc",
            "T-1,2026-12-05 23:59:00,37.5665,126.978,12.25,90,4.5,,2026-12-05 23:59:01",
            "T-1,2026-12-05 23:59:30.5,37.56655,126.97805,,,,,2026-12-05 23:59:31",
            "T-1,2026-12-05 23:59:45,35.1796,129.0756,260,180,30,\"jump: 960 km/h, from 37.5666,126.9781\",2026-12-05 23:59:46",
            "T-1,2026-12-06 00:00:00,0.00001,-0.000001,0,0,1000.125,,2026-12-06 00:00:00.25",
            "",
        ], lines);
        Assert.Equal(4, progress.Rows);
    }

    [Fact]
    public async Task gpx_is_gpx_1_1_that_netTopologySuite_reads_back_point_by_point_without_the_flagged_fix()
    {
        using var output = new MemoryStream();
        var progress = new ExportProgress();
        var about = new TrackGpx.Description("Truck T-1 · 2026-12-06", "Every stored fix <of> T-1 & more", new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero));
        await TrackGpx.WriteAsync(output, about, Stream(Points), progress, default);

        var text = Encoding.UTF8.GetString(output.ToArray());
        var gpx = GpxFile.Parse(text, new GpxReaderSettings());
        Assert.Equal("Sendy", gpx.Metadata.Creator);
        Assert.Equal(about.Name, gpx.Metadata.Name);
        Assert.Equal(about.Text, gpx.Metadata.Description);
        Assert.Equal(about.CreatedAt.UtcDateTime, gpx.Metadata.CreationTimeUtc);
        Assert.Empty(gpx.Waypoints);
        Assert.Empty(gpx.Routes);
        var track = Assert.Single(gpx.Tracks);
        Assert.Equal(about.Name, track.Name);
        var points = Assert.Single(track.Segments).Waypoints;
        var kept = Points.Where(p => p.QualityFlag is null).ToList();
        Assert.Equal(kept.Count, points.Count);
        for (var i = 0; i < kept.Count; i++)
        {
            Assert.Equal(kept[i].Latitude, points[i].Latitude.Value, 9);
            Assert.Equal(kept[i].Longitude, points[i].Longitude.Value, 9);
            Assert.Equal(kept[i].RecordedAt.UtcDateTime, points[i].TimestampUtc);
            Assert.Null(points[i].ElevationInMeters);
        }
        Assert.Equal(3, progress.Rows);

        // What the library does not check: the root's namespace and version, decimals without exponents.
        var root = XDocument.Parse(text).Root!;
        Assert.Equal(XName.Get("gpx", TrackGpx.Namespace), root.Name);
        Assert.Equal("1.1", root.Attribute("version")?.Value);
        var trkpts = root.Descendants(XName.Get("trkpt", TrackGpx.Namespace)).ToList();
        Assert.Equal(["0.00001", "-0.000001"], [trkpts[^1].Attribute("lat")!.Value, trkpts[^1].Attribute("lon")!.Value]);
        Assert.Equal(["2026-12-05T23:59:00Z", "2026-12-05T23:59:30.5Z"], trkpts.Take(2).Select(p => p.Element(XName.Get("time", TrackGpx.Namespace))!.Value));
        Assert.Equal(["metadata", "trk"], root.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["name", "desc", "trkseg"], root.Element(XName.Get("trk", TrackGpx.Namespace))!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task an_empty_track_is_still_a_valid_file()
    {
        using var gpxOut = new MemoryStream();
        await TrackGpx.WriteAsync(gpxOut, new TrackGpx.Description("n", "d", T0), Stream([]), null, default);
        var gpx = GpxFile.Parse(Encoding.UTF8.GetString(gpxOut.ToArray()), new GpxReaderSettings());
        Assert.Empty(Assert.Single(Assert.Single(gpx.Tracks).Segments).Waypoints);

        using var csvOut = new MemoryStream();
        await TrackCsv.WriteAsync(csvOut, "T-1", Stream([]), null, default);
        Assert.Equal(TrackCsv.Header, Encoding.UTF8.GetString(csvOut.ToArray()[3..]).TrimEnd().Split(','));
    }

    /// <summary>
    /// A 12-hour track at a fix per second: by the time the last fix is read, most of the file has
    /// already gone to the output, so neither writer holds the track.
    /// </summary>
    [Theory]
    [InlineData("csv")]
    [InlineData("gpx")]
    public async Task both_formats_write_while_the_fixes_still_come_in(string format)
    {
        const int count = 43_200;
        var output = new CountingStream();
        long writtenBeforeTheLast = -1;
        async IAsyncEnumerable<TrackPoint> Track()
        {
            for (var i = 0; i < count; i++)
            {
                if (i == count - 1) writtenBeforeTheLast = output.Written;
                if (i % 1000 == 0) await Task.Yield();
                yield return new TrackPoint(T0.AddSeconds(i), 37.5 + i * 1e-6, 127 + i * 1e-6, 10, 90, 5, null, T0.AddSeconds(i + 1));
            }
        }

        var progress = new ExportProgress();
        if (format == "csv") await TrackCsv.WriteAsync(output, "T-1", Track(), progress, default);
        else await TrackGpx.WriteAsync(output, new TrackGpx.Description("n", "d", T0), Track(), progress, default);

        Assert.Equal(count, progress.Rows);
        Assert.True(writtenBeforeTheLast > output.Written * 9 / 10,
            $"{writtenBeforeTheLast} of {output.Written} bytes were written before the last fix was read");
    }

    /// <summary>Counts what reaches it and keeps nothing.</summary>
    private sealed class CountingStream : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
