using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Sendy.Engine;

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

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Per-token and per-IP fixed windows, chained, on the public surface: the APIs and the token
/// pages. A refused request gets 429 with Retry-After. Tokens are partitioned by their hash so the
/// limiter never holds a token itself.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddSendyRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<RateLimitOptions>(configuration, RateLimitOptions.Section);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : (int)Math.Ceiling(options.Window.TotalSeconds);
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: 429, title: "Too many requests",
                        detail: $"Slow down and retry after {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
            if (!options.Enabled) return;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => TokenKey(http) is { } key
                    ? RateLimitPartition.GetFixedWindowLimiter("t:" + key, _ => Window(options.PerTokenPermits, options.Window))
                    : RateLimitPartition.GetNoLimiter("none")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsPublic(http.Request.Path)
                    ? RateLimitPartition.GetFixedWindowLimiter("ip:" + http.Connection.RemoteIpAddress, _ => Window(options.PerIpPermits, options.Window))
                    : RateLimitPartition.GetNoLimiter("none")));
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    internal static bool IsPublic(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/t") || path.StartsWithSegments("/d") || path.StartsWithSegments("/osmand");

    /// <summary>The bearer token, or the token segment of /t/{token} and /d/{token}, hashed.</summary>
    internal static string? TokenKey(HttpContext http)
    {
        var path = http.Request.Path;
        if (!IsPublic(path)) return null;
        string? token = null;
        var auth = http.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = auth[7..].Trim();
        else if (path.StartsWithSegments("/osmand")) token = http.Request.Query["id"].ToString(); // the tracker's device id
        else if ((path.StartsWithSegments("/t", out var rest) || path.StartsWithSegments("/d", out rest)) && rest.HasValue)
            token = rest.Value!.TrimStart('/').Split('/')[0];
        if (string.IsNullOrEmpty(token)) return null;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 12);
    }
}
