using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Console.Components.Pages.Admin;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Admin;

/// <summary>/admin/staff on real Identity tables: the list, creating accounts with Identity's rules, locks, roles, passwords.</summary>
public sealed class StaffPageTests(TestDatabase db) : FleetAdminContext(db), IClassFixture<TestDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static string NewEmail(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..16] + "@test.local";

    private async Task<(string Id, string Email)> SignedInAdminAsync()
    {
        var email = NewEmail("me");
        var id = await CreateUserAsync(email, StaffRoles.Admin, StaffRoles.Dispatcher);
        SignInAsAdmin(id, email);
        return (id, email);
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> Page()
    {
        var page = RenderPage<StaffPage>();
        page.WaitForElement("[data-testid=staff-page][data-loaded=true]", Patience);
        return page;
    }

    private static IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string email) =>
        page.FindAll("[data-testid=accounts] tbody tr").Single(r => r.TextContent.Contains(email, StringComparison.Ordinal));

    private async Task<StaffUser> UserAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email))!;
    }

    private async Task<bool> PasswordWorksAsync(string email, string password)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password);
    }

    private static async Task FillNewAccountAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> page, string email, string password, string name = "")
    {
        await page.Find("[data-testid=new-email]").ChangeAsync(new() { Value = email });
        await page.Find("[data-testid=new-display-name]").ChangeAsync(new() { Value = name });
        await page.Find("[data-testid=new-password]").ChangeAsync(new() { Value = password });
    }

    [Fact]
    public async Task lists_accounts_with_role_lock_state_and_marks_the_signed_in_admin()
    {
        var (_, me) = await SignedInAdminAsync();
        var dispatcher = NewEmail("disp");
        await CreateUserAsync(dispatcher, StaffRoles.Dispatcher);
        await using (var scope = Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(dispatcher))!, DateTimeOffset.MaxValue);
        }

        var page = Page();

        page.WaitForAssertion(() => Assert.Contains(me, page.Find("[data-testid=accounts]").TextContent), Patience);
        Assert.Contains("Admin", Row(page, me).QuerySelector("[data-testid=account-role]")!.TextContent);
        Assert.Contains("you", Row(page, me).TextContent);
        Assert.Contains("Active", Row(page, me).QuerySelector("[data-testid=account-status]")!.TextContent);
        Assert.Contains("Dispatcher", Row(page, dispatcher).QuerySelector("[data-testid=account-role]")!.TextContent);
        Assert.Contains("Locked", Row(page, dispatcher).QuerySelector("[data-testid=account-status]")!.TextContent);
        Assert.DoesNotContain("you", Row(page, dispatcher).TextContent);
        Assert.NotNull(Row(page, dispatcher).QuerySelector("[data-testid=unlock]"));
    }

    [Fact]
    public async Task a_short_password_is_refused_inline_with_identitys_rule_and_nothing_is_created()
    {
        await SignedInAdminAsync();
        var email = NewEmail("short");
        var page = Page();
        await FillNewAccountAsync(page, email, "too-short");

        await page.Find("[data-testid=create-account]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Contains("The password must be at least 12 characters long.", page.Find("[data-testid=new-account]").TextContent), Patience);
        Assert.Null(await UserAsync(email));
        Assert.Empty(page.FindAll("[data-testid=staff-message]"));
    }

    [Fact]
    public async Task a_taken_or_malformed_email_is_refused_on_the_email_field_once()
    {
        var (_, me) = await SignedInAdminAsync();
        var page = Page();

        await FillNewAccountAsync(page, me, "long-enough-password");
        await page.Find("[data-testid=create-account]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("An account with this email already exists.", page.Find("[data-testid=new-account]").TextContent), Patience);
        // Identity reports DuplicateUserName and DuplicateEmail for the same thing: one message.
        var text = page.Find("[data-testid=new-account]").TextContent;
        Assert.Equal(text.IndexOf("already exists", StringComparison.Ordinal), text.LastIndexOf("already exists", StringComparison.Ordinal));

        await FillNewAccountAsync(page, "not-an-email", "long-enough-password");
        await page.Find("[data-testid=create-account]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("This is not a valid email address.", page.Find("[data-testid=new-account]").TextContent), Patience);
    }

    [Fact]
    public async Task a_created_dispatcher_is_listed_and_can_sign_in_with_the_initial_password()
    {
        await SignedInAdminAsync();
        var email = NewEmail("new");
        var page = Page();
        await FillNewAccountAsync(page, email, "initial-password-1", "Jiwoo Park");

        await page.Find("[data-testid=create-account]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Contains($"Account {email} created.", page.Find("[data-testid=staff-message]").TextContent), Patience);
        Assert.Contains("Jiwoo Park", Row(page, email).TextContent);
        Assert.Contains("Dispatcher", Row(page, email).QuerySelector("[data-testid=account-role]")!.TextContent);
        Assert.True(await PasswordWorksAsync(email, "initial-password-1"));
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        Assert.Equal([StaffRoles.Dispatcher], await users.GetRolesAsync((await users.FindByEmailAsync(email))!));
        Assert.Equal("", page.Find("[data-testid=new-email]").GetAttribute("value") ?? ""); // the form is cleared
    }

    [Fact]
    public async Task an_admin_cannot_lock_or_demote_themselves_and_is_told_why()
    {
        var (id, me) = await SignedInAdminAsync();
        var page = Page();
        page.WaitForAssertion(() => Row(page, me), Patience);

        await Row(page, me).QuerySelector("[data-testid=lock]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("You can't lock your own account.", page.Find("[data-testid=staff-message]").TextContent), Patience);

        await Row(page, me).QuerySelector("[data-testid=make-dispatcher]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("You can't remove your own admin role.", page.Find("[data-testid=staff-message]").TextContent), Patience);

        var user = await UserAsync(me);
        Assert.Null(user.LockoutEnd);
        await using var scope = Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().IsInRoleAsync(user, StaffRoles.Admin));
        Assert.Equal(id, user.Id);
    }

    [Fact]
    public async Task another_account_is_locked_unlocked_promoted_and_demoted()
    {
        await SignedInAdminAsync();
        var other = NewEmail("other");
        await CreateUserAsync(other, StaffRoles.Dispatcher);
        var page = Page();
        page.WaitForAssertion(() => Row(page, other), Patience);

        await Row(page, other).QuerySelector("[data-testid=lock]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("Locked", Row(page, other).QuerySelector("[data-testid=account-status]")!.TextContent), Patience);
        Assert.True((await UserAsync(other)).LockoutEnd > DateTimeOffset.UtcNow.AddYears(100));

        await Row(page, other).QuerySelector("[data-testid=unlock]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("Active", Row(page, other).QuerySelector("[data-testid=account-status]")!.TextContent), Patience);
        Assert.Null((await UserAsync(other)).LockoutEnd);

        await Row(page, other).QuerySelector("[data-testid=make-admin]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("Admin", Row(page, other).QuerySelector("[data-testid=account-role]")!.TextContent), Patience);
        await Row(page, other).QuerySelector("[data-testid=make-dispatcher]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("Dispatcher", Row(page, other).QuerySelector("[data-testid=account-role]")!.TextContent), Patience);
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        Assert.Equal([StaffRoles.Dispatcher], await users.GetRolesAsync((await users.FindByEmailAsync(other))!));
    }

    [Fact]
    public async Task a_password_reset_follows_identitys_rules_then_replaces_the_password()
    {
        await SignedInAdminAsync();
        var other = NewEmail("reset");
        await CreateUserAsync(other, StaffRoles.Dispatcher);
        var page = Page();
        page.WaitForAssertion(() => Row(page, other), Patience);

        await Row(page, other).QuerySelector("[data-testid=reset-password]")!.ClickAsync(new MouseEventArgs());
        await page.Find("[data-testid=reset-password-input]").ChangeAsync(new() { Value = "short" });
        await page.Find("[data-testid=reset-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("at least 12 characters", page.Find(".mud-dialog").TextContent), Patience);
        Assert.True(await PasswordWorksAsync(other, "a-long-enough-pass"));

        await page.Find("[data-testid=reset-password-input]").ChangeAsync(new() { Value = "a-brand-new-password" });
        await page.Find("[data-testid=reset-save]").ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains($"The password of {other} was changed.", page.Find("[data-testid=staff-message]").TextContent), Patience);
        Assert.Empty(page.FindAll(".mud-dialog"));
        Assert.True(await PasswordWorksAsync(other, "a-brand-new-password"));
        Assert.False(await PasswordWorksAsync(other, "a-long-enough-pass"));
    }

    [Fact]
    public async Task identity_errors_are_shown_in_korean_for_korean_admins()
    {
        UseCulture("ko");
        var (_, me) = await SignedInAdminAsync();
        var page = Page();
        await FillNewAccountAsync(page, NewEmail("ko"), "짧은암호");

        await page.Find("[data-testid=create-account]").ClickAsync(new MouseEventArgs());

        page.WaitForAssertion(() => Assert.Contains("비밀번호는 12자 이상이어야 합니다.", page.Find("[data-testid=new-account]").TextContent), Patience);
        await Row(page, me).QuerySelector("[data-testid=lock]")!.ClickAsync(new MouseEventArgs());
        page.WaitForAssertion(() => Assert.Contains("자신의 계정은 잠글 수 없습니다.", page.Find("[data-testid=staff-message]").TextContent), Patience);
    }
}
