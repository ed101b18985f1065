using System.Net;
using Microsoft.AspNetCore.Identity;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

public enum StaffSignInOutcome
{
    SignedIn,

    /// <summary>Wrong password, unknown account or locked account: one answer, so none of them can be told apart.</summary>
    Refused,

    /// <summary>Too many attempts from this address or for this account; try again later.</summary>
    Throttled,
}

/// <summary>
/// The sign-in form's work: the attempt limits first, then Identity's password check with lockout.
/// An unknown email costs the same password hashing as a wrong password and gets the same answer,
/// so the form does not tell which accounts exist.
/// </summary>
public sealed class StaffSignIn(SignInManager<StaffUser> signIn, UserManager<StaffUser> users, IPasswordHasher<StaffUser> hasher, SignInThrottle throttle)
{
    private static readonly StaffUser Nobody = new() { UserName = "nobody@sendy.invalid" };
    private static readonly Lazy<string> NobodysHash = new(() => new PasswordHasher<StaffUser>().HashPassword(Nobody, Guid.NewGuid().ToString()));

    public async Task<(StaffSignInOutcome Outcome, TimeSpan RetryAfter)> SignInAsync(string email, string password, IPAddress? from)
    {
        if (!throttle.TryAttempt(from, email, out var retryAfter)) return (StaffSignInOutcome.Throttled, retryAfter);
        if (await users.FindByNameAsync(email) is not { } user)
        {
            hasher.VerifyHashedPassword(Nobody, NobodysHash.Value, password);
            return (StaffSignInOutcome.Refused, TimeSpan.Zero);
        }
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        return (result.Succeeded ? StaffSignInOutcome.SignedIn : StaffSignInOutcome.Refused, TimeSpan.Zero);
    }
}
