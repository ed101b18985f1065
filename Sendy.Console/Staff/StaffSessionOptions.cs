using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Staff;

/// <summary>How staff sessions are kept honest. Bound from "Sendy:Staff".</summary>
public sealed class StaffSessionOptions
{
    public const string Section = "Sendy:Staff";

    /// <summary>
    /// How often an open tab (a Blazor circuit) and a signed-in cookie are checked against the
    /// account: a role change, a lock, a password reset or a deleted account ends access within it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sign-in attempts per window from one IP address (any account, right or wrong).</summary>
    [Range(1, 100_000)]
    public int SignInPerIpPermits { get; set; } = 30;

    /// <summary>Sign-in attempts per window for one email address (any address, known or not).</summary>
    [Range(1, 100_000)]
    public int SignInPerUserPermits { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SignInWindow { get; set; } = TimeSpan.FromMinutes(5);
}
