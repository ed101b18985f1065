namespace Sendy.Console.Components;

internal static class NotFoundResponse
{
    /// <summary>
    /// Answers 404 while still sending the page's friendly content. In .NET 10 a component that
    /// sets 404 directly gets an empty body (the endpoint expects status-code re-execution), so
    /// the status is applied only as the headers go out.
    /// </summary>
    public static void SetNotFoundKeepingBody(this HttpContext? httpContext)
    {
        if (httpContext is not { Response.HasStarted: false } http)
        {
            return;
        }

        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }
}
