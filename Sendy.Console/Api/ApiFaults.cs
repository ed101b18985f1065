using Npgsql;

namespace Sendy.Console.Api;

/// <summary>
/// Faults under <c>/api</c> answered as problem details instead of the HTML error page: PostgreSQL
/// unreachable (or any transient database failure) is 503 with Retry-After, so a booking system
/// retries instead of giving up; a parameter that does not bind is its 400; anything else is a
/// 500 problem, logged. Placed before
/// authentication, whose API key lookup reads the database too.
/// </summary>
internal static partial class ApiFaults
{
    /// <summary>Seconds a client is asked to wait before retrying while the database is away.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// Parameters that do not bind throw in every environment (not only in Development), so
    /// <see cref="UseApiFaults"/> answers them as a 400 problem rather than an empty 400.
    /// </summary>
    public static IServiceCollection AddApiFaults(this IServiceCollection services) =>
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

    public static IApplicationBuilder UseApiFaults(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException bad) when (!http.Response.HasStarted)
            {
                // A parameter that does not bind (a malformed id or date in the query): the caller's mistake.
                http.Response.Clear();
                await Results.Problem(statusCode: bad.StatusCode, title: "Bad request", detail: bad.Message).ExecuteAsync(http);
            }
            catch (Exception ex) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiFaults));
                var unavailable = DatabaseUnavailable(ex);
                if (unavailable) LogUnavailable(logger, http.Request.Path, ex);
                else LogFailed(logger, http.Request.Path, ex);
                http.Response.Clear();
                if (unavailable) http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await (unavailable
                    ? Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable",
                        detail: $"The database cannot be reached. Retry in {RetryAfterSeconds} s; a booking retried with the same Idempotency-Key is never booked twice.")
                    : Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Unexpected error",
                        detail: "The request failed on the server; it is logged. Retry later or tell the operator.",
                        extensions: new Dictionary<string, object?> { ["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier }))
                    .ExecuteAsync(http);
            }
        }));

    /// <summary>A failure to reach PostgreSQL or one it calls transient (connection refused or lost, shutdown, too many connections, timeouts).</summary>
    internal static bool DatabaseUnavailable(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is NpgsqlException { IsTransient: true } or TimeoutException) return true;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: the database is unavailable; answered 503")]
    private static partial void LogUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Path}: unhandled error; answered 500")]
    private static partial void LogFailed(ILogger logger, string path, Exception exception);
}
