using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

public enum StaffRole
{
    Dispatcher,
    Admin,
}

public sealed record StaffAccount(string Id, string Email, string DisplayName, StaffRole Role, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
{
    public bool IsLockedOut(DateTimeOffset now) => LockedUntil > now;
}

public sealed record NewStaffAccount(string? Email, string? DisplayName, StaffRole Role, string? Password);

/// <summary>
/// Admins manage staff accounts through ASP.NET Core Identity. Each call takes its own scope (its
/// own UserManager and DbContext) because a Blazor circuit lives for hours and a context kept that
/// long would answer from what it tracked, not from the database. Refusals come back as
/// IdentityErrors, Identity's own or ours (<see cref="Codes"/>), so the page shows them one way.
/// </summary>
public sealed class StaffAccounts(IServiceScopeFactory scopes, IDbContextFactory<SendyDbContext> contexts, TimeProvider time)
{
    public const int MaxDisplayName = 100;

    /// <summary>The status log records a dispatcher's actions under this name (its actor column holds 100 characters).</summary>
    public const int MaxEmail = 100;

    public static class Codes
    {
        public const string EmailRequired = nameof(EmailRequired);
        public const string DisplayNameTooLong = nameof(DisplayNameTooLong);
        public const string EmailTooLong = nameof(EmailTooLong);
        public const string SelfLock = nameof(SelfLock);
        public const string SelfDemote = nameof(SelfDemote);
        public const string UnknownAccount = nameof(UnknownAccount);
    }

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var admins = await (from ur in context.UserRoles
                            join r in context.Roles on ur.RoleId equals r.Id
                            where r.Name == StaffRoles.Admin
                            select ur.UserId).ToListAsync(cancellationToken);
        var users = await context.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        return users.Select(u => new StaffAccount(u.Id, u.Email ?? u.UserName ?? "", u.DisplayName,
            admins.Contains(u.Id) ? StaffRole.Admin : StaffRole.Dispatcher, u.LockoutEnd, u.CreatedAt)).ToList();
    }

    public async Task<IdentityResult> CreateAsync(NewStaffAccount input, CancellationToken cancellationToken)
    {
        var email = input.Email?.Trim() ?? "";
        var displayName = input.DisplayName?.Trim() ?? "";
        var errors = new List<IdentityError>();
        if (email.Length == 0) errors.Add(Error(Codes.EmailRequired));
        if (email.Length > MaxEmail) errors.Add(Error(Codes.EmailTooLong));
        if (displayName.Length > MaxDisplayName) errors.Add(Error(Codes.DisplayNameTooLong));
        if (errors.Count > 0) return IdentityResult.Failed([.. errors]);

        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = new StaffUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName, CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, input.Password ?? "");
        if (!created.Succeeded) return created;
        return await users.AddToRolesAsync(user, RolesOf(input.Role));
    }

    /// <summary>Locks an account until unlocked (it can't sign in; its sessions end at their next security-stamp check).</summary>
    public async Task<IdentityResult> SetLockedAsync(ClaimsPrincipal actor, string userId, bool locked, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        if (locked && users.GetUserId(actor) == userId) return IdentityResult.Failed(Error(Codes.SelfLock));
        if (await users.FindByIdAsync(userId) is not { } user) return IdentityResult.Failed(Error(Codes.UnknownAccount));
        if (!locked)
        {
            var unlocked = await users.SetLockoutEndDateAsync(user, null);
            return unlocked.Succeeded ? await users.ResetAccessFailedCountAsync(user) : unlocked;
        }
        var enabled = await users.SetLockoutEnabledAsync(user, true);
        if (!enabled.Succeeded) return enabled;
        var result = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        return result.Succeeded ? await users.UpdateSecurityStampAsync(user) : result;
    }

    /// <summary>Admin (who is also a dispatcher, like the first admin) or Dispatcher only.</summary>
    public async Task<IdentityResult> SetRoleAsync(ClaimsPrincipal actor, string userId, StaffRole role, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        if (role != StaffRole.Admin && users.GetUserId(actor) == userId) return IdentityResult.Failed(Error(Codes.SelfDemote));
        if (await users.FindByIdAsync(userId) is not { } user) return IdentityResult.Failed(Error(Codes.UnknownAccount));
        var current = await users.GetRolesAsync(user);
        var wanted = RolesOf(role);
        var added = await users.AddToRolesAsync(user, wanted.Except(current));
        if (!added.Succeeded) return added;
        var removed = await users.RemoveFromRolesAsync(user, current.Intersect(StaffRoles.All).Except(wanted));
        // A demoted admin's cookie still says Admin: a new stamp makes it be checked again.
        return removed.Succeeded && role != StaffRole.Admin ? await users.UpdateSecurityStampAsync(user) : removed;
    }

    /// <summary>Sets a new password (Identity's rules apply); the account's other sessions end at their next check.</summary>
    public async Task<IdentityResult> ResetPasswordAsync(string userId, string? password, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        if (await users.FindByIdAsync(userId) is not { } user) return IdentityResult.Failed(Error(Codes.UnknownAccount));
        var token = await users.GeneratePasswordResetTokenAsync(user);
        return await users.ResetPasswordAsync(user, token, password ?? "");
    }

    private static UserManager<StaffUser> Users(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();

    private static string[] RolesOf(StaffRole role) =>
        role == StaffRole.Admin ? [StaffRoles.Admin, StaffRoles.Dispatcher] : [StaffRoles.Dispatcher];

    private static IdentityError Error(string code) => new() { Code = code, Description = code };
}
