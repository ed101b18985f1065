using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sendy.Console.Preferences;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>Puts the staff member's profile language into the sign-in cookie, so choosing a culture costs no lookup per request.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (UiPreferences.IsCulture(user.Locale))
        {
            identity.AddClaim(new Claim(UiPreferences.LocaleClaim, user.Locale!));
        }

        return identity;
    }
}
