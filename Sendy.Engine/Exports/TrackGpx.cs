using System.Globalization;
using System.Text;
using System.Xml;

namespace Sendy.Engine.Exports;

/// <summary>
/// A track as GPX 1.1: one <c>trk</c> with one <c>trkseg</c> of <c>trkpt</c>s (lat, lon, time; no
/// elevation, which trackers do not send), written point by point with an asynchronous XmlWriter.
/// NetTopologySuite.IO.GPX writes a whole in-memory track synchronously, so it reads these files
/// back in the tests instead of writing them. Fixes flagged by the quality checks are left out:
/// GPX is for drawing and replaying in other tools, where an impossible jump is a spike across the
/// map; the CSV export keeps them, marked, and the track's description says so.
/// </summary>
public static class TrackGpx
{
    public const string ContentType = "application/gpx+xml";
    public const string Namespace = "http://www.topografix.com/GPX/1/1";
    private const string SchemaInstance = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>The names the file carries: the file's and the track's, what it holds, and when it was made.</summary>
    public sealed record Description(string Name, string Text, DateTimeOffset CreatedAt);

    public static async Task WriteAsync(Stream output, Description about, IAsyncEnumerable<TrackPoint> points, ExportProgress? progress,
        CancellationToken cancellationToken)
    {
        var settings = new XmlWriterSettings
        {
            Async = true, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), Indent = true, CloseOutput = false,
        };
        await using var xml = XmlWriter.Create(output, settings);
        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "gpx", Namespace);
        await xml.WriteAttributeStringAsync(null, "version", null, "1.1");
        await xml.WriteAttributeStringAsync(null, "creator", null, "Sendy");
        await xml.WriteAttributeStringAsync("xmlns", "xsi", null, SchemaInstance);
        await xml.WriteAttributeStringAsync("xsi", "schemaLocation", SchemaInstance, Namespace + " http://www.topografix.com/GPX/1/1/gpx.xsd");

        // gpxType and its children are sequences: the elements' order is part of the schema.
        await xml.WriteStartElementAsync(null, "metadata", Namespace);
        await xml.WriteElementStringAsync(null, "name", Namespace, about.Name);
        await xml.WriteElementStringAsync(null, "desc", Namespace, about.Text);
        await xml.WriteElementStringAsync(null, "time", Namespace, Time(about.CreatedAt));
        await xml.WriteEndElementAsync();

        await xml.WriteStartElementAsync(null, "trk", Namespace);
        await xml.WriteElementStringAsync(null, "name", Namespace, about.Name);
        await xml.WriteElementStringAsync(null, "desc", Namespace, about.Text);
        await xml.WriteStartElementAsync(null, "trkseg", Namespace);
        await foreach (var p in points.WithCancellation(cancellationToken))
        {
            if (p.QualityFlag is not null) continue;
            await xml.WriteStartElementAsync(null, "trkpt", Namespace);
            await xml.WriteAttributeStringAsync(null, "lat", null, Degrees(p.Latitude));
            await xml.WriteAttributeStringAsync(null, "lon", null, Degrees(p.Longitude));
            await xml.WriteElementStringAsync(null, "time", Namespace, Time(p.RecordedAt));
            await xml.WriteEndElementAsync();
            progress?.Add();
        }
        await xml.WriteEndElementAsync(); // trkseg
        await xml.WriteEndElementAsync(); // trk
        await xml.WriteEndElementAsync(); // gpx
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
    }

    /// <summary>xsd:dateTime in UTC, with the fraction only when there is one.</summary>
    public static string Time(DateTimeOffset at) => XmlConvert.ToString(at.UtcDateTime, XmlDateTimeSerializationMode.Utc);

    /// <summary>xsd:decimal (never an exponent, which "R" gives for tiny values): nine decimals, under a millimetre.</summary>
    public static string Degrees(double value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
}
