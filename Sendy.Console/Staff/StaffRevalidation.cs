using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>
/// An open tab's sign-in, checked again every <see cref="StaffSessionOptions.RevalidationInterval"/>:
/// the account must still exist, not be locked, and carry the security stamp the session started
/// with (a role change, lock or password reset gives it a new one). When the check fails the
/// circuit's user becomes anonymous, and the router sends the tab to the sign-in page.
/// </summary>
public sealed class StaffRevalidation(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> identity,
    IOptions<StaffSessionOptions> options) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        IsStillValidAsync(authenticationState.User);

    /// <summary>The check itself: true while the principal's account still stands as it was signed in.</summary>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return true; // nothing to revoke
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        if (await users.GetUserAsync(principal) is not { } user) return false;
        if (await users.IsLockedOutAsync(user)) return false;
        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp is not null && stamp == await users.GetSecurityStampAsync(user);
    }
}
