namespace Sendy.Console.Components;

internal static class NotFoundResponse
{
    /// <summary>
    /// Answers 404 while still sending the page's friendly content. In .NET 10 a component that
    /// sets 404 directly gets an empty body (the endpoint expects status-code re-execution), so
    /// the status is applied only as the headers go out.
    /// </summary>
    public static void SetNotFoundKeepingBody(this HttpContext? httpContext) =>
        httpContext.SetStatusKeepingBody(StatusCodes.Status404NotFound);

    /// <summary>As <see cref="SetNotFoundKeepingBody"/>, with another status (410 for an expired link).</summary>
    public static void SetStatusKeepingBody(this HttpContext? httpContext, int statusCode)
    {
        if (httpContext is not { Response.HasStarted: false } http)
        {
            return;
        }

        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        });
    }
}
