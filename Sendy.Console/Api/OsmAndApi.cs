using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Sendy.Console.Security;
using Sendy.Engine.Ingest;
using Sendy.Engine.Streams;
using Sendy.Engine.Trackers;

namespace Sendy.Console.Api;

/// <summary>
/// The OsmAnd protocol, as Traccar Client and similar tracker apps speak it: <c>GET|POST /osmand</c>,
/// every request shape Traccar's decoder accepts (see <see cref="OsmAndMessage"/>). The device id is an
/// id Sendy issued to the truck (or a legacy id an admin typed).
/// <para>
/// Tracker apps keep a refused request and resend it before any newer one, so the answer is 200
/// whenever resending cannot help: for an unknown device id (nothing stored; counted per hash prefix
/// and address for admins) exactly as for a known one, and for a fix that cannot be stored (kept with
/// its bytes and reason, counted per truck). Other answers: 413 for a body over the ingest limit
/// (declared or chunked), 429 when the caller's address or the known device is over its limit, 503
/// with Retry-After when the stream did not take a storable fix or PostgreSQL is down and the device is
/// not one this node found lately (the app resends it later, nothing lost).
/// </para>
/// </summary>
public static class OsmAndApi
{
    public static WebApplication MapOsmAndApi(this WebApplication app)
    {
        app.MapMethods("/osmand", ["GET", "POST"], HandleAsync).WithName("OsmAnd");
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, TrackerDevices devices, TrackerReports reports, TrackerLimiter limiter,
        PositionIngestor ingestor, IOptions<IngestOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return await HandleCoreAsync(http, devices, reports, limiter, ingestor, options.Value, time, loggers, cancellationToken);
        }
        catch (Exception ex) when (ex is TrackerLookupUnavailableException or DbException && !cancellationToken.IsCancellationRequested)
        {
            // PostgreSQL is down and the answer depends on it: the app keeps the fix and resends it later.
            loggers.CreateLogger(typeof(OsmAndApi)).LogWarning("Tracker request answered 503: {Reason}", ex.Message);
            return Unavailable(http, options.Value, "Tracker service unavailable");
        }
    }

    private static async Task<IResult> HandleCoreAsync(HttpContext http, TrackerDevices devices, TrackerReports reports, TrackerLimiter limiter,
        PositionIngestor ingestor, IngestOptions options, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadLimitedAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        if (body is null) return Results.Problem(statusCode: 413, title: "Request too large");
        var receivedAt = time.GetUtcNow();
        var message = OsmAndMessage.Parse(http.Request.Query, http.Request.ContentType, body, receivedAt);

        var truckId = message.DeviceId is { } deviceId ? await devices.FindTruckAsync(deviceId, cancellationToken) : null;
        if (truckId is null)
        {
            try
            {
                await reports.RecordUnknownAsync(message.DeviceId, http.Connection.RemoteIpAddress?.ToString() ?? "?", cancellationToken);
            }
            catch (DbException ex)
            {
                // A lost sighting is only a missing line on the admin's list; the answer stays the one a known id gets.
                loggers.CreateLogger(typeof(OsmAndApi)).LogWarning("Could not record an unknown tracker id: {Reason}", ex.Message);
            }
            return Delivered;
        }
        if (limiter.Refuse(truckId) is { } retryAfter) return RateLimits.TooManyRequests(http, retryAfter);

        var storable = new List<FixDto?>();
        var refused = new List<string>();
        foreach (var fix in message.Fixes)
        {
            var problem = fix.Problem ?? Validate(fix.Fix, truckId, receivedAt, options);
            if (problem is null) storable.Add(fix.Fix);
            else refused.Add(problem);
        }
        if (message.Problem is { } whole) refused.Add(whole);
        if (refused.Count > 0) await reports.RefuseAsync(truckId, Raw(http.Request, body, message.DeviceId!), string.Join(" | ", refused.Distinct()), cancellationToken);
        if (storable.Count == 0) return Delivered;
        try
        {
            await ingestor.IngestAsync(truckId, storable, cancellationToken);
            return Delivered;
        }
        catch (StreamException ex) when (ex is not StreamValidationException)
        {
            return Unavailable(http, options, "Position stream unavailable");
        }
    }

    private static IResult Unavailable(HttpContext http, IngestOptions options, string title)
    {
        http.Response.Headers.RetryAfter = ((int)options.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: 503, title: title);
    }

    /// <summary>The one answer for anything the app should not resend: an empty 200, the same for every device id.</summary>
    private static IResult Delivered => Results.Ok();

    private static string? Validate(FixDto fix, string truckId, DateTimeOffset now, IngestOptions options)
    {
        var errors = FixValidator.Validate([fix], truckId, now, options);
        return errors.Count == 0
            ? null
            : string.Join("; ", errors.Select(kv => $"{kv.Key.Replace("fixes[0].", "", StringComparison.Ordinal)} {string.Join(", ", kv.Value)}"));
    }

    /// <summary>
    /// The request as received, for the admin: method, query string and body, with the device id
    /// (the tracker's secret, stored nowhere else but as a hash) replaced by <c>[device-id]</c>.
    /// </summary>
    private static byte[] Raw(HttpRequest request, byte[] body, string deviceId)
    {
        byte[] raw = [.. Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n\n"), .. body];
        var mask = "[device-id]"u8.ToArray();
        foreach (var spelling in new[] { deviceId, Uri.EscapeDataString(deviceId), System.Net.WebUtility.UrlEncode(deviceId) }.Distinct())
            raw = ReplaceAll(raw, Encoding.UTF8.GetBytes(spelling), mask);
        return raw;
    }

    /// <summary>Byte-wise, so a body that is not UTF-8 is kept as it came.</summary>
    private static byte[] ReplaceAll(byte[] data, byte[] find, byte[] with)
    {
        var output = new List<byte>(data.Length);
        var rest = data.AsSpan();
        int at;
        while ((at = rest.IndexOf(find)) >= 0)
        {
            output.AddRange(rest[..at]);
            output.AddRange(with);
            rest = rest[(at + find.Length)..];
        }
        output.AddRange(rest);
        return [.. output];
    }
}
