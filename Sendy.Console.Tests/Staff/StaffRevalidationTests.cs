using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Staff;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Staff;

/// <summary>
/// An open tab's sign-in is checked again against the account (real Identity tables): a demotion,
/// a lock or a deleted account ends it; an account left alone keeps it.
/// </summary>
public sealed class StaffRevalidationTests(StaffRevalidationTests.App app) : IClassFixture<StaffRevalidationTests.App>
{
    private const string Password = "revalidation-pass-1";

    public sealed class App : SendyAppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sendy:Staff:RevalidationInterval", "00:00:01");
        }
    }

    [Fact]
    public async Task an_account_left_alone_stays_signed_in()
    {
        var (principal, _) = await SignedInAsync(StaffRole.Admin);
        Assert.True(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task a_demoted_admin_is_signed_out_of_open_tabs()
    {
        var (principal, user) = await SignedInAsync(StaffRole.Admin);
        var actor = (await SignedInAsync(StaffRole.Admin)).Principal;
        Assert.True((await Accounts.SetRoleAsync(actor, user.Id, StaffRole.Dispatcher, default)).Succeeded);
        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task a_locked_account_is_signed_out_of_open_tabs()
    {
        var (principal, user) = await SignedInAsync(StaffRole.Dispatcher);
        var actor = (await SignedInAsync(StaffRole.Admin)).Principal;
        Assert.True((await Accounts.SetLockedAsync(actor, user.Id, true, default)).Succeeded);
        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task a_deleted_account_is_signed_out_of_open_tabs()
    {
        var (principal, user) = await SignedInAsync(StaffRole.Dispatcher);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(user.Id))!)).Succeeded);
        }
        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task the_circuits_provider_turns_a_locked_user_anonymous_at_its_next_check()
    {
        var (principal, user) = await SignedInAsync(StaffRole.Dispatcher);
        await using var circuit = app.Services.CreateAsyncScope();
        var provider = circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var revalidation = Assert.IsType<StaffRevalidation>(provider);
        var signedOut = new TaskCompletionSource<ClaimsPrincipal>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.AuthenticationStateChanged += async state =>
        {
            var now = (await state).User;
            if (now.Identity?.IsAuthenticated != true) signedOut.TrySetResult(now);
        };
        revalidation.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));

        var actor = (await SignedInAsync(StaffRole.Admin)).Principal;
        Assert.True((await Accounts.SetLockedAsync(actor, user.Id, true, default)).Succeeded);

        // The signal itself, bounded generously (checks run every second here).
        var anonymous = await signedOut.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(anonymous.Identity?.Name);
    }

    [Fact]
    public async Task an_account_whose_email_the_status_log_cannot_record_is_refused()
    {
        var tooLong = new string('a', StaffAccounts.MaxEmail - "@test.local".Length + 1) + "@test.local";
        var refused = await Accounts.CreateAsync(new NewStaffAccount(tooLong, "Long", StaffRole.Dispatcher, Password), default);
        Assert.Equal([StaffAccounts.Codes.EmailTooLong], refused.Errors.Select(e => e.Code));
        var longest = tooLong[1..];
        Assert.True((await Accounts.CreateAsync(new NewStaffAccount(longest, "Long", StaffRole.Dispatcher, Password), default)).Succeeded);
    }

    private StaffAccounts Accounts => app.Services.GetRequiredService<StaffAccounts>();

    private async Task<bool> IsStillValidAsync(ClaimsPrincipal principal)
    {
        await using var circuit = app.Services.CreateAsyncScope();
        return await Assert.IsType<StaffRevalidation>(circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>()).IsStillValidAsync(principal);
    }

    /// <summary>A new account and the principal a sign-in gives it (with its security stamp).</summary>
    private async Task<(ClaimsPrincipal Principal, StaffUser User)> SignedInAsync(StaffRole role)
    {
        var email = $"rv-{Guid.NewGuid():N}"[..14] + "@test.local";
        Assert.True((await Accounts.CreateAsync(new NewStaffAccount(email, "Revalidated", role, Password), default)).Succeeded);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<StaffUser>>().CreateUserPrincipalAsync(user);
        return (principal, user);
    }
}
