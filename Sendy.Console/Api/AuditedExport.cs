using System.Security.Claims;
using Sendy.Console.Integrations;
using Sendy.Console.Staff;
using Sendy.Engine.Audit;
using Sendy.Engine.Exports;

namespace Sendy.Console.Api;

/// <summary>
/// A streamed download that the admin log records. The log row is written before the first byte
/// (if PostgreSQL is away the caller gets the usual 503 and nothing leaves unrecorded), and
/// finished once the stream ends: Completed with the rows written, Aborted when the caller went
/// away part way, Failed when the server did (the file the caller got is cut short). A node that
/// dies mid-way leaves the row Started, which the page shows as unfinished. Requests refused with
/// a 4xx export nothing and are not logged.
/// </summary>
internal static partial class AuditedExport
{
    public static async Task<IResult> StreamAsync(HttpContext http, StaffAction what, string contentType, string fileName,
        Func<Stream, ExportProgress, CancellationToken, Task> write)
    {
        var log = http.RequestServices.GetRequiredService<IAdminLog>();
        var id = await log.BeginAsync(http.User.AdminActor(), what, http.RequestAborted);
        return Results.Stream(async body =>
        {
            var progress = new ExportProgress();
            var outcome = AdminLogOutcome.Failed;
            try
            {
                await write(body, progress, http.RequestAborted);
                outcome = AdminLogOutcome.Completed;
            }
            catch (Exception) when (http.RequestAborted.IsCancellationRequested)
            {
                outcome = AdminLogOutcome.Aborted; // nobody is left to send anything to
            }
            finally
            {
                await FinishAsync(http, log, id, outcome, progress.Rows);
            }
        }, contentType, fileName);
    }

    /// <summary>Who the admin log names: the signed-in staff member (id, display name, e-mail) or the API client (id, key name).</summary>
    public static AdminActor AdminActor(this ClaimsPrincipal user) => user.IsApiClient()
        ? new AdminActor(AdminActorKind.ApiClient, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "?", user.Identity?.Name, null)
        : new AdminActor(AdminActorKind.Staff, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "?",
            user.FindFirstValue(StaffClaimsFactory.DisplayNameClaim) ?? user.Identity?.Name,
            user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name);

    /// <summary>The request is over (maybe aborted), so the row is finished under the app's lifetime, not the request's.</summary>
    private static async Task FinishAsync(HttpContext http, IAdminLog log, long id, AdminLogOutcome outcome, long rows)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditedExport));
        if (outcome != AdminLogOutcome.Completed) LogStopped(logger, id, outcome, rows);
        try
        {
            var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await log.FinishAsync(id, outcome, rows, stopping);
        }
        catch (Exception ex)
        {
            LogNotFinished(logger, id, outcome, ex); // the row stays Started: the page shows it as unfinished
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {LogId} stopped part way ({Outcome}) after {Rows} rows")]
    private static partial void LogStopped(ILogger logger, long logId, AdminLogOutcome outcome, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {LogId} ended ({Outcome}) but the admin log could not be updated")]
    private static partial void LogNotFinished(ILogger logger, long logId, AdminLogOutcome outcome, Exception exception);
}
