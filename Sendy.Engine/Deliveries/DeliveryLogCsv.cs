using System.Globalization;
using System.Text;
using Sendy.Engine.Exports;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// The admin logs as CSV (RFC 4180), written row by row as the database streams them. UTF-8 with a
/// byte order mark, because Excel reads a file without one in the machine's code page and shows
/// Korean names as mojibake. Times are UTC, "yyyy-MM-dd HH:mm:ss", which Excel parses as dates.
/// </summary>
public static class DeliveryLogCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly string[] DeliveryHeader =
        ["delivery_id", "created_at_utc", "customer", "truck_id", "truck", "driver", "status", "picked_up_at_utc", "delivered_at_utc"];

    private static readonly string[] EventHeader =
        ["event_id", "occurred_at_utc", "delivery_id", "customer", "from_status", "to_status", "actor_kind", "actor", "note", "reason"];

    public static Task WriteDeliveriesAsync(Stream output, IAsyncEnumerable<DeliveryLogRow> rows, ExportProgress? progress,
        CancellationToken cancellationToken) =>
        WriteAsync(output, DeliveryHeader, rows, r =>
        [
            r.Id.ToString(), Time(r.CreatedAt), r.CustomerName, r.TruckId, r.TruckName, r.DriverName, r.Status.ToString(),
            Time(r.PickedUpAt), Time(r.DeliveredAt),
        ], progress, cancellationToken);

    public static Task WriteStatusEventsAsync(Stream output, IAsyncEnumerable<StatusEventLogRow> rows, ExportProgress? progress,
        CancellationToken cancellationToken) =>
        WriteAsync(output, EventHeader, rows, r =>
        [
            r.Id.ToString(), Time(r.OccurredAt), r.DeliveryId.ToString(), r.CustomerName, r.From?.ToString(), r.To.ToString(),
            r.ActorKind.ToString(), r.ActorName ?? r.ActorId, r.Note, r.Reason,
        ], progress, cancellationToken);

    /// <summary>
    /// One field: quoted when it holds a comma, quote or line break (quotes doubled). Text that a
    /// spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) gets a
    /// leading apostrophe, OWASP's advice against CSV injection: a customer named "=HYPERLINK(…)"
    /// stays text.
    /// </summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string? Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static Task WriteAsync<T>(Stream output, string[] header, IAsyncEnumerable<T> rows, Func<T, string?[]> fields,
        ExportProgress? progress, CancellationToken cancellationToken) =>
        WriteLinesAsync(output, header, rows, (line, row) => AppendFields(line, fields(row)), progress, cancellationToken);

    /// <summary>
    /// The header, then one line per row as the rows come, each built by <paramref name="line"/>
    /// (which escapes its text with <see cref="Field"/>); <paramref name="progress"/> counts the rows written.
    /// </summary>
    internal static async Task WriteLinesAsync<T>(Stream output, string[] header, IAsyncEnumerable<T> rows, Action<StringBuilder, T> line,
        ExportProgress? progress, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024,
            leaveOpen: true)
        { NewLine = "\r\n" };
        var text = new StringBuilder();
        AppendFields(text, header);
        await writer.WriteLineAsync(text);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            text.Clear();
            line(text, row);
            await writer.WriteLineAsync(text);
            progress?.Add();
        }
        await writer.FlushAsync(cancellationToken);
    }

    private static void AppendFields(StringBuilder line, string?[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) line.Append(',');
            line.Append(Field(fields[i]));
        }
    }
}
