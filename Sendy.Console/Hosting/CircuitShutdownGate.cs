namespace Sendy.Console.Hosting;

/// <summary>
/// A stopping node lets its Blazor circuits go at once. On ApplicationStopping SignalR closes its
/// connections, the browser reconnects at once, and a reconnect that reaches Kestrel before it
/// stops listening kept the process alive until the host's shutdown timeout (30 s measured with
/// one open customer page; dotnet/aspnetcore#58947, open). So once the node is stopping, new
/// /_blazor requests get 503 (a proxy moves the page to another node) and the ones still running
/// are aborted rather than drained.
/// </summary>
public static class CircuitShutdownGate
{
    public const string CircuitPath = "/_blazor";

    public static WebApplication UseCircuitShutdownGate(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments(CircuitPath))
            {
                await next(http);
                return;
            }
            if (stopping.IsCancellationRequested)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = "1";
                return;
            }
            await using var abortOnStop = stopping.Register(http.Abort);
            await next(http);
        });
        return app;
    }
}
