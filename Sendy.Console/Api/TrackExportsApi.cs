using System.Globalization;
using Sendy.Console.Operations;
using Sendy.Console.Staff;
using Sendy.Engine.Audit;
using Sendy.Engine.Exports;
using Sendy.Engine.Fleet;

namespace Sendy.Console.Api;

/// <summary>
/// Admin: a delivery's track or a truck's day as GPX or CSV, every stored fix (not the thinned
/// route the pages draw), in device-time order, streamed from PostgreSQL. Query <c>format</c>:
/// <c>csv</c> (the default) or <c>gpx</c>; a truck's day takes <c>day</c> (yyyy-MM-dd), a whole day
/// in the operations time zone. Each download is written to the admin log. The paths carry no
/// extension, as the log exports' (the authorization matrix takes one for a static file).
/// </summary>
public static class TrackExportsApi
{
    /// <summary>Older days are not a track anyone kept; the bound also keeps day arithmetic in range.</summary>
    internal static readonly DateOnly FirstDay = new(2000, 1, 1);

    public static RouteGroupBuilder MapTrackExportsApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(StaffServiceCollectionExtensions.AdminPolicy);
        admin.MapGet("/deliveries/{id:guid}/track", DeliveryTrackAsync).WithName("ExportDeliveryTrack");
        admin.MapGet("/trucks/{truckId}/track", TruckDayTrackAsync).WithName("ExportTruckDayTrack");
        return api;
    }

    public static string DeliveryTrackUrl(Guid deliveryId, ExportFormat format) =>
        $"/api/v1/admin/deliveries/{deliveryId}/track?format={Name(format)}";

    public static string TruckDayTrackUrl(string truckId, DateOnly day, ExportFormat format) =>
        $"/api/v1/admin/trucks/{Uri.EscapeDataString(truckId)}/track?day={DayText(day)}&format={Name(format)}";

    private static async Task<IResult> DeliveryTrackAsync(Guid id, HttpContext http, ITrackQueries tracks, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var format = Format(http.Request.Query, errors);
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The export's parameters are invalid");
        var found = await tracks.DeliverySpanAsync(id, cancellationToken);
        if (!found.Exists) return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found");
        if (found.Track is not { } span)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No track",
                detail: "The delivery never had a truck, so there are no positions to export.");

        var shortId = id.ToString("N")[..8];
        var about = new TrackGpx.Description($"Delivery {shortId} · truck {span.TruckId}",
            $"Every stored fix of truck {span.TruckId} for delivery {id}, from {Utc(span.From)} to {Utc(span.To)} (UTC). {FlaggedNote}",
            time.GetUtcNow());
        return await StreamAsync(http, tracks, span, format, about, new StaffAction(AdminAction.DeliveryTrackExport, format, id, span.TruckId),
            $"sendy-delivery-{shortId}-track");
    }

    private static async Task<IResult> TruckDayTrackAsync(string truckId, HttpContext http, ITrackQueries tracks, OperationsClock clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var format = Format(http.Request.Query, errors);
        var day = Day(http.Request.Query, clock, errors);
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The export's parameters are invalid");
        if (truckId.Length > FleetRules.MaxTruckId || !await tracks.TruckExistsAsync(truckId, cancellationToken))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Truck not found");

        var span = new TrackSpan(truckId, clock.StartOf(day), clock.StartOf(day.AddDays(1)));
        var about = new TrackGpx.Description($"Truck {truckId} · {DayText(day)}",
            $"Every stored fix of truck {truckId} on {DayText(day)} in {clock.ZoneId}, from {Utc(span.From)} to {Utc(span.To)} (UTC, end excluded). {FlaggedNote}",
            clock.Now);
        return await StreamAsync(http, tracks, span, format, about,
            new StaffAction(AdminAction.TruckDayTrackExport, format, TruckId: truckId, Day: day), $"sendy-truck-{truckId}-{DayText(day)}");
    }

    private const string FlaggedNote = "Fixes flagged by the quality checks (impossible jumps, poor accuracy) are left out here; the CSV export keeps them, marked.";

    private static Task<IResult> StreamAsync(HttpContext http, ITrackQueries tracks, TrackSpan span, ExportFormat format, TrackGpx.Description about,
        StaffAction what, string fileName) => format == ExportFormat.Gpx
        ? AuditedExport.StreamAsync(http, what, TrackGpx.ContentType, fileName + ".gpx",
            (body, progress, ct) => TrackGpx.WriteAsync(body, about, tracks.ReadAsync(span, ct), progress, ct))
        : AuditedExport.StreamAsync(http, what, Engine.Deliveries.DeliveryLogCsv.ContentType, fileName + ".csv",
            (body, progress, ct) => TrackCsv.WriteAsync(body, span.TruckId, tracks.ReadAsync(span, ct), progress, ct));

    private static ExportFormat Format(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var text = query["format"].ToString().Trim();
        if (text.Length == 0 || text.Equals("csv", StringComparison.OrdinalIgnoreCase)) return ExportFormat.Csv;
        if (text.Equals("gpx", StringComparison.OrdinalIgnoreCase)) return ExportFormat.Gpx;
        errors["format"] = ["must be csv or gpx"];
        return ExportFormat.Csv;
    }

    private static DateOnly Day(IQueryCollection query, OperationsClock clock, Dictionary<string, string[]> errors)
    {
        var text = query["day"].ToString().Trim();
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            errors["day"] = ["must be a date as yyyy-MM-dd, e.g. 2026-11-25"];
        else if (day < FirstDay) errors["day"] = [$"must be {DayText(FirstDay)} or later"];
        else if (day > clock.Today) errors["day"] = [$"must not be after today in {clock.ZoneId} ({DayText(clock.Today)})"];
        return day;
    }

    private static string Name(ExportFormat format) => format == ExportFormat.Gpx ? "gpx" : "csv";

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
