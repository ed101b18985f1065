using System.Data.Common;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Console.Staff;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>/admin/staff: admins create dispatcher and admin accounts, lock them, change roles, reset passwords.</summary>
public sealed partial class StaffPage
{
    private readonly FleetFormErrors _errors = new();
    private readonly FleetFormErrors _resetErrors = new();
    private IReadOnlyList<StaffAccount> _accounts = [];
    private NewAccountForm _new = new();
    private (Severity Severity, string Text)? _message;
    private StaffAccount? _resetFor;
    private string? _resetPassword;
    private string? _myId;
    private bool _busy;
    private bool _interactive;
    private bool _loaded;

    [Inject] private StaffAccounts Accounts { get; set; } = null!;
    [Inject] private UserManager<Sendy.Engine.Storage.StaffUser> Users { get; set; } = null!;
    [Inject] private IOptions<IdentityOptions> Identity { get; set; } = null!;
    [Inject] private IStringLocalizer<AdminFleetText> L { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private int RequiredLength => Identity.Value.Password.RequiredLength;

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null) _myId = Users.GetUserId((await AuthenticationState).User);
        await TryAsync(async () => _accounts = await Accounts.ListAsync(Aborted));
        _loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true; // tests wait for this before they click: a prerendered button does nothing
        StateHasChanged();
    }

    private async Task CreateAsync()
    {
        _errors.Clear();
        var email = _new.Email?.Trim();
        await RunAsync(_errors, () => Accounts.CreateAsync(new NewStaffAccount(email, _new.DisplayName, _new.Role, _new.Password), Aborted),
            () =>
            {
                _message = (Severity.Success, L["AccountCreated", email ?? ""]);
                _new = new NewAccountForm();
            });
    }

    private Task SetLockedAsync(StaffAccount account, bool locked) =>
        RunAsync(null, async () => await Accounts.SetLockedAsync(await UserAsync(), account.Id, locked, Aborted),
            () => _message = (Severity.Success, L[locked ? "AccountLocked" : "AccountUnlocked", account.Email]));

    private Task SetRoleAsync(StaffAccount account, StaffRole role) =>
        RunAsync(null, async () => await Accounts.SetRoleAsync(await UserAsync(), account.Id, role, Aborted),
            () => _message = (Severity.Success, L["RoleChanged", account.Email, L["Role_" + role]]));

    private void OpenReset(StaffAccount account)
    {
        _resetErrors.Clear();
        _resetPassword = null;
        _resetFor = account;
    }

    private async Task ResetAsync()
    {
        if (_resetFor is not { } account) return;
        _resetErrors.Clear();
        await RunAsync(_resetErrors, () => Accounts.ResetPasswordAsync(account.Id, _resetPassword, Aborted), () =>
        {
            _message = (Severity.Success, L["PasswordChanged", account.Email]);
            _resetFor = null;
            _resetPassword = null;
        });
    }

    /// <summary>Runs a change; shows its errors on <paramref name="form"/> (or as the page message), else reloads the list.</summary>
    private async Task RunAsync(FleetFormErrors? form, Func<Task<IdentityResult>> change, Action succeeded)
    {
        _busy = true;
        _message = null;
        try
        {
            await TryAsync(async () =>
            {
                var result = await change();
                if (result.Succeeded)
                {
                    succeeded();
                    _accounts = await Accounts.ListAsync(Aborted);
                    return;
                }
                foreach (var error in result.Errors)
                {
                    if (form is null) _message = (Severity.Error, Describe(error));
                    else form.Add(FieldOf(error.Code), Describe(error));
                }
            });
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>A database outage becomes a message on the page instead of a dead circuit.</summary>
    private async Task TryAsync(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (DbException)
        {
            _message = (Severity.Error, L["Unreachable"]);
        }
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> UserAsync() =>
        AuthenticationState is null ? new() : (await AuthenticationState).User;

    /// <summary>Our own words for Identity's codes when we have them; Identity's (English) description otherwise.</summary>
    private string Describe(IdentityError error)
    {
        var text = L["Identity_" + error.Code, RequiredLength, StaffAccounts.MaxDisplayName, StaffAccounts.MaxEmail];
        return text.ResourceNotFound ? error.Description : text.Value;
    }

    private static string FieldOf(string code) => code switch
    {
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "password",
        StaffAccounts.Codes.EmailRequired or StaffAccounts.Codes.EmailTooLong or "InvalidEmail" or "DuplicateEmail" or "InvalidUserName" or "DuplicateUserName" => "email",
        StaffAccounts.Codes.DisplayNameTooLong => "displayName",
        _ => "",
    };

    private string LockedText(DateTimeOffset until) =>
        until.Year > 9000 ? L["Locked"] : L["LockedUntil", Clock.ToLocal(until).ToString("g")];

    private static Dictionary<string, object> Test(string id) => new() { ["data-testid"] = id };

    private sealed class NewAccountForm
    {
        public string? Email { get; set; }
        public string? DisplayName { get; set; }
        public string? Password { get; set; }
        public StaffRole Role { get; set; } = StaffRole.Dispatcher;
    }
}
