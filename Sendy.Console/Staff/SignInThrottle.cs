using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Sendy.Console.Staff;

/// <summary>
/// Sign-in attempts per client address and per email address, in fixed windows: password guessing
/// from one place and password spraying against one account (known or not) both stop at a limit.
/// The address is the real client's (forwarded headers from known proxies are applied first).
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<(IPAddress? Address, string Email)> _limiter;

    public SignInThrottle(IOptions<StaffSessionOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<(IPAddress? Address, string Email), string>(attempt =>
                RateLimitPartition.GetFixedWindowLimiter("ip:" + attempt.Address, _ => Window(o.SignInPerIpPermits, o.SignInWindow))),
            PartitionedRateLimiter.Create<(IPAddress? Address, string Email), string>(attempt =>
                RateLimitPartition.GetFixedWindowLimiter("user:" + attempt.Email.Trim().ToUpperInvariant(), _ => Window(o.SignInPerUserPermits, o.SignInWindow))));
    }

    /// <summary>True when this attempt may go ahead; otherwise when to try again.</summary>
    public bool TryAttempt(IPAddress? address, string email, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire((address, email ?? ""));
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.Zero;
        return lease.IsAcquired;
    }

    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _limiter.Dispose();

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };
}
