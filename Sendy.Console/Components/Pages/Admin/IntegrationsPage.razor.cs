using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>/admin/integrations: admins create API clients (the key shown once), see their last use, revoke them.</summary>
public sealed partial class IntegrationsPage
{
    private readonly FleetFormErrors _errors = new();
    private readonly HashSet<string> _scopes = new(StringComparer.Ordinal) { ApiScopes.DeliveriesRead, ApiScopes.DeliveriesWrite };
    private IReadOnlyList<ApiClientView> _clients = [];
    private string? _name;
    private CreatedApiClient? _created;
    private ApiClientView? _revoking;
    private (Severity Severity, string Text)? _message;
    private DeliveriesClipboard _clipboard = null!;
    private bool _copied;
    private bool _busy;
    private bool _interactive;
    private bool _loaded;

    [Inject] private ApiClientRegistry Clients { get; set; } = null!;
    [Inject] private IStringLocalizer<IntegrationsText> L { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _clipboard = new DeliveriesClipboard(JS);
        await TryAsync(async () => _clients = await Clients.ListAsync(Aborted));
        _loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true; // tests wait for this before they click: a prerendered button does nothing
        StateHasChanged();
    }

    private void Toggle(string scope, bool on)
    {
        if (on) _scopes.Add(scope);
        else _scopes.Remove(scope);
    }

    private async Task CreateAsync()
    {
        _errors.Clear();
        _message = null;
        _created = null;
        _copied = false;
        _busy = true;
        try
        {
            await TryAsync(async () =>
            {
                var (created, problems) = await Clients.CreateAsync(_name, _scopes, await UserNameAsync(), Aborted);
                foreach (var problem in problems)
                    _errors.Add(problem.Field, L["Error_" + problem.Error, problem.Detail ?? ""]);
                if (created is null) return;
                _created = created;
                _name = null;
                _clients = await Clients.ListAsync(Aborted);
            });
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync()
    {
        if (_revoking is not { } client) return;
        _busy = true;
        try
        {
            await TryAsync(async () =>
            {
                await Clients.RevokeAsync(client.Id, await UserNameAsync(), Aborted);
                _message = (Severity.Success, L["RevokedMessage", client.Name]);
                if (_created?.Client.Id == client.Id) _created = null;
                _clients = await Clients.ListAsync(Aborted);
            });
        }
        finally
        {
            _busy = false;
            _revoking = null;
        }
    }

    private async Task CopyAsync()
    {
        if (_created is not null) _copied = await _clipboard.CopyAsync(_created.Secret);
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

    private async Task<string?> UserNameAsync() => AuthenticationState is null ? null : (await AuthenticationState).User.Identity?.Name;

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);

    private static Dictionary<string, object> Test(string id) => new() { ["data-testid"] = id };

    protected override async ValueTask DisposeAsyncCore() => await _clipboard.DisposeAsync();
}
