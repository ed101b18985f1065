using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Sendy.Console.Staff;
using Sendy.Engine.Audit;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Exports;

namespace Sendy.Console.Api;

/// <summary>
/// Admin: the delivery and status event logs as CSV, every row matching the filter (not a page),
/// streamed from the database. The paths carry no ".csv": the endpoint inventory of the
/// authorization matrix takes a path with an extension for a static file. Query: <c>delivery, truck, driver, status, from, to</c> (ISO 8601;
/// from inclusive, to exclusive), <c>sort</c> (a column name of the log) and <c>desc</c>. Each download
/// is written to the admin log with the filter (see <see cref="AuditedExport"/>).
/// </summary>
public static class AdminLogsApi
{
    public const string DeliveriesCsvPath = "/api/v1/admin/logs/deliveries/export";
    public const string StatusEventsCsvPath = "/api/v1/admin/logs/status-events/export";

    public static RouteGroupBuilder MapAdminLogsApi(this RouteGroupBuilder api)
    {
        var logs = api.MapGroup("/admin/logs").RequireAuthorization(StaffServiceCollectionExtensions.AdminPolicy);
        logs.MapGet("/deliveries/export", DeliveriesCsv).WithName("ExportDeliveriesLog");
        logs.MapGet("/status-events/export", StatusEventsCsv).WithName("ExportStatusEventsLog");
        return api;
    }

    /// <summary>The CSV link for what the page shows: same filter, same order.</summary>
    public static string CsvUrl<TSort>(string path, DeliveryLogFilter filter, TSort sort, bool descending) where TSort : struct, Enum
    {
        var query = new Dictionary<string, string?>
        {
            ["delivery"] = Blank(filter.Delivery), ["truck"] = Blank(filter.Truck), ["driver"] = Blank(filter.Driver),
            ["status"] = filter.Status?.ToString(),
            ["from"] = filter.From?.ToString("O", CultureInfo.InvariantCulture), ["to"] = filter.To?.ToString("O", CultureInfo.InvariantCulture),
            ["sort"] = sort.ToString(), ["desc"] = descending ? "true" : null,
        };
        return QueryHelpers.AddQueryString(path, query.Where(p => p.Value is not null));
    }

    private static async Task<IResult> DeliveriesCsv(HttpContext http, IDeliveryLogQueries queries, TimeProvider time)
    {
        if (Parse<DeliveryLogSort>(http.Request.Query, out var filter, out var sort, out var descending) is { } problem) return problem;
        return await AuditedExport.StreamAsync(http, Logged(AdminAction.DeliveriesLogExport, http), DeliveryLogCsv.ContentType, FileName("deliveries", time),
            (body, progress, ct) => DeliveryLogCsv.WriteDeliveriesAsync(body, queries.AllDeliveriesAsync(filter, sort, descending, ct), progress, ct));
    }

    private static async Task<IResult> StatusEventsCsv(HttpContext http, IDeliveryLogQueries queries, TimeProvider time)
    {
        if (Parse<StatusEventLogSort>(http.Request.Query, out var filter, out var sort, out var descending) is { } problem) return problem;
        return await AuditedExport.StreamAsync(http, Logged(AdminAction.StatusEventsLogExport, http), DeliveryLogCsv.ContentType, FileName("status-events", time),
            (body, progress, ct) => DeliveryLogCsv.WriteStatusEventsAsync(body, queries.AllStatusEventsAsync(filter, sort, descending, ct), progress, ct));
    }

    /// <summary>The admin log keeps the filter as it was asked, the query string without its "?".</summary>
    private static StaffAction Logged(AdminAction action, HttpContext http) =>
        new(action, ExportFormat.Csv, Detail: http.Request.QueryString.HasValue ? Uri.UnescapeDataString(http.Request.QueryString.Value![1..]) : null);

    private static string FileName(string log, TimeProvider time) =>
        $"sendy-{log}-{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";

    /// <summary>The filter from the query string, or a 400 naming each bad parameter.</summary>
    internal static IResult? Parse<TSort>(IQueryCollection query, out DeliveryLogFilter filter, out TSort sort, out bool descending)
        where TSort : struct, Enum
    {
        var errors = new Dictionary<string, string[]>();
        DeliveryStatus? status = null;
        if (Text(query, "status") is { } s)
        {
            if (Enum.TryParse<DeliveryStatus>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(s, out _)) status = parsed;
            else errors["status"] = ["must be one of " + string.Join(", ", Enum.GetNames<DeliveryStatus>())];
        }
        var from = Time(query, "from", errors);
        var to = Time(query, "to", errors);
        if (from is { } f && to is { } t && f > t) errors["to"] = ["must not be before from"];
        sort = default;
        if (Text(query, "sort") is { } sortText && !(Enum.TryParse(sortText, ignoreCase: true, out sort) && Enum.IsDefined(sort) && !int.TryParse(sortText, out _)))
            errors["sort"] = ["must be one of " + string.Join(", ", Enum.GetNames<TSort>())];
        descending = false;
        if (Text(query, "desc") is { } desc && !bool.TryParse(desc, out descending)) errors["desc"] = ["must be true or false"];
        foreach (var name in new[] { "delivery", "truck", "driver" })
            if (Text(query, name) is { Length: > 200 }) errors[name] = ["at most 200 characters"];
            else if (Text(query, name)?.Contains('\0', StringComparison.Ordinal) == true) errors[name] = ["must not contain NUL"]; // PostgreSQL's text cannot

        filter = new DeliveryLogFilter(Text(query, "delivery"), Text(query, "truck"), Text(query, "driver"), status, from, to);
        return errors.Count == 0 ? null : Results.ValidationProblem(errors, title: "The log filter is invalid");
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (Text(query, name) is not { } text) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        errors[name] = ["must be an ISO 8601 date or time, e.g. 2026-11-25 or 2026-11-25T09:00:00+09:00"];
        return null;
    }

    private static string? Text(IQueryCollection query, string name) => query.TryGetValue(name, out var v) ? Blank(v.ToString()) : null;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
