using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Sendy.Console.Api;
using Sendy.Engine;
using Sendy.Engine.Ingest;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Security;

public sealed class RateLimitOptions
{
    public const string Section = "Sendy:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per window for one driver or tracking token (a phone posts every few seconds).</summary>
    [Range(1, 1_000_000)]
    public int PerTokenPermits { get; set; } = 60;

    /// <summary>Requests per window from one IP address (a depot NAT may carry many drivers).</summary>
    [Range(1, 1_000_000)]
    public int PerIpPermits { get; set; } = 600;

    /// <summary>Requests per window for one known tracker device (<c>/osmand</c>), after the per-address limit.</summary>
    [Range(1, 1_000_000)]
    public int PerDevicePermits { get; set; } = 60;

    /// <summary>Requests per window for one API client (a booking system books in bursts).</summary>
    [Range(1, 10_000_000)]
    public int PerApiClientPermits { get; set; } = 6_000;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Blazor negotiations and circuit connections per <see cref="CircuitWindow"/> from one address.</summary>
    [Range(1, 1_000_000)]
    public int CircuitPerIpPermits { get; set; } = 120;

    public TimeSpan CircuitWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Fixed windows on the public surface, keyed on who is calling. A refused request gets 429 with
/// Retry-After. Tokens are partitioned by their hash so the limiter never holds a token itself.
/// <list type="bullet">
/// <item>API client keys (<c>sendy_sk_…</c>): per key, with their own, larger allowance; a key
/// this node checked lately does not count against its address.</item>
/// <item>Driver and tracking tokens: per token. A driver whose token this node resolved lately is
/// limited by token only, so phones behind one carrier NAT address are not throttled together; a
/// token not (yet) known also counts against its address, so made-up tokens cannot dodge it.</item>
/// <item><c>/osmand</c>: every request counts against its address before the device is looked up
/// (a throttled address gets the same 429 for right and wrong ids); known devices also get
/// <see cref="TrackerLimiter"/>'s per-device limit inside the endpoint.</item>
/// <item>Blazor negotiations and circuit connections: per address.</item>
/// </list>
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddSendyRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<RateLimitOptions>(configuration, RateLimitOptions.Section);
        services.AddSingleton<TrackerLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = RetryAfterSeconds(context.Lease, options.Window);
                await TooManyRequests(context.HttpContext, seconds).ExecuteAsync(context.HttpContext);
            };
            if (!options.Enabled) return;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => TokenKey(http) switch
                {
                    null => RateLimitPartition.GetNoLimiter("none"),
                    var key when key.StartsWith(ApiClientKey, StringComparison.Ordinal) =>
                        RateLimitPartition.GetFixedWindowLimiter(key, _ => Window(options.PerApiClientPermits, options.Window)),
                    var key => RateLimitPartition.GetFixedWindowLimiter("t:" + key, _ => Window(options.PerTokenPermits, options.Window)),
                }),
                PartitionedRateLimiter.Create<HttpContext, string>(http => CountsAgainstAddress(http)
                    ? RateLimitPartition.GetFixedWindowLimiter("ip:" + http.Connection.RemoteIpAddress, _ => Window(options.PerIpPermits, options.Window))
                    : RateLimitPartition.GetNoLimiter("none")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsCircuitStart(http.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter("circuit:" + http.Connection.RemoteIpAddress,
                        _ => Window(options.CircuitPerIpPermits, options.CircuitWindow))
                    : RateLimitPartition.GetNoLimiter("none")));
        });
        return services;
    }

    internal static IResult TooManyRequests(HttpContext http, int seconds)
    {
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: 429, title: "Too many requests", detail: $"Slow down and retry after {seconds} s.");
    }

    /// <summary>What a refused lease says to wait, at least a second; the window when it says nothing.</summary>
    internal static int RetryAfterSeconds(RateLimitLease lease, TimeSpan window) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : (int)Math.Ceiling(window.TotalSeconds);

    internal static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    internal static bool IsPublic(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/t") || path.StartsWithSegments("/d") || path.StartsWithSegments("/osmand");

    /// <summary>Public requests count against their address, except an API call whose driver token or API key this node already knows.</summary>
    internal static bool CountsAgainstAddress(HttpContext http)
    {
        if (!IsPublic(http.Request.Path)) return false;
        if (!http.Request.Path.StartsWithSegments("/api") || BearerToken.From(http.Request) is not { } token) return true;
        return ApiClientSecrets.HasPrefix(token)
            ? !http.RequestServices.GetRequiredService<ApiClientRegistry>().IsKnown(token)
            : !http.RequestServices.GetRequiredService<DriverTokenCache>().IsKnownDriver(token);
    }

    private const string ApiClientKey = "api:";

    /// <summary>A Blazor negotiation, or the request that opens a circuit's connection (WebSocket, SSE or the first long poll).</summary>
    internal static bool IsCircuitStart(HttpRequest request) =>
        request.Path.StartsWithSegments("/_blazor/negotiate")
        || (request.Path.Equals("/_blazor", StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(request.Method)
            && (request.HttpContext.WebSockets.IsWebSocketRequest || request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal)));

    /// <summary>The bearer token, or the token segment of /t/{token} and /d/{token}, hashed.</summary>
    internal static string? TokenKey(HttpContext http)
    {
        var path = http.Request.Path;
        if (!IsPublic(path) || path.StartsWithSegments("/osmand")) return null; // trackers: per address, then per device (TrackerLimiter)
        string? token = null;
        var auth = http.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = auth[7..].Trim();
        else if ((path.StartsWithSegments("/t", out var rest) || path.StartsWithSegments("/d", out rest)) && rest.HasValue)
            token = rest.Value!.TrimStart('/').Split('/')[0];
        if (string.IsNullOrEmpty(token)) return null;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 12);
        return ApiClientSecrets.HasPrefix(token) ? ApiClientKey + hash : hash;
    }
}

/// <summary>The per-device limit of known trackers, taken once the device is found (so unknown ids never reach it).</summary>
public sealed class TrackerLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter = options.Value.Enabled
        ? PartitionedRateLimiter.Create<string, string>(truckId =>
            RateLimitPartition.GetFixedWindowLimiter(truckId, _ => RateLimits.Window(options.Value.PerDevicePermits, options.Value.Window)))
        : null;

    /// <summary>Null when the device may go on; otherwise the seconds to tell it to wait.</summary>
    public int? Refuse(string truckId)
    {
        if (_limiter is null) return null;
        using var lease = _limiter.AttemptAcquire(truckId);
        if (lease.IsAcquired) return null;
        return RateLimits.RetryAfterSeconds(lease, options.Value.Window);
    }

    public void Dispose() => _limiter?.Dispose();
}
