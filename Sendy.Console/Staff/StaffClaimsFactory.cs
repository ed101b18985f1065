using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sendy.Console.Preferences;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>
/// Puts the staff member's profile language into the sign-in cookie, so choosing a culture costs no
/// lookup per request, and the display name, which the admin log records beside id and e-mail.
/// </summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffUser, IdentityRole>(users, roles, options)
{
    public const string DisplayNameClaim = "sendy:display_name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.DisplayName))
        {
            identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName));
        }

        if (UiPreferences.IsCulture(user.Locale))
        {
            identity.AddClaim(new Claim(UiPreferences.LocaleClaim, user.Locale!));
        }

        return identity;
    }
}
