using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Integrations;
using Sendy.Engine.Integrations.Webhooks;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Storage;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>
/// /admin/webhooks: every API client's webhook endpoints with their health; an admin enables or
/// disables one, reads an endpoint's messages and each message's attempts, and sends a message again.
/// </summary>
public sealed partial class WebhooksPage
{
    private const int PageSize = 50;

    private IReadOnlyList<WebhookEndpointView> _endpoints = [];
    private Dictionary<Guid, ApiClientView> _clients = [];
    private WebhookEndpointView? _selected;
    private List<WebhookMessageView> _messages = [];
    private bool _hasOlder;
    private bool _messagesLoaded;
    private readonly HashSet<long> _expanded = [];
    private readonly Dictionary<long, IReadOnlyList<WebhookAttemptView>> _attempts = [];
    private WebhookEndpointView? _disabling;
    private (Severity Severity, string Text)? _message;
    private bool _busy;
    private bool _interactive;
    private bool _loaded;

    [Inject] private WebhookEndpoints Endpoints { get; set; } = null!;
    [Inject] private ApiClientRegistry Clients { get; set; } = null!;
    [Inject] private IOptions<WebhookOptions> Options { get; set; } = null!;
    [Inject] private IOptions<SmtpOptions> Smtp { get; set; } = null!;
    [Inject] private IStringLocalizer<WebhooksText> L { get; set; } = null!;
    [Inject] private OperationsClock Clock { get; set; } = null!;

    private int DisabledCount => _endpoints.Count(e => !e.Enabled);

    protected override async Task OnInitializedAsync()
    {
        await TryAsync(LoadEndpointsAsync);
        _loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender) return;
        _interactive = true; // tests wait for this before they click: a prerendered button does nothing
        StateHasChanged();
    }

    private async Task LoadEndpointsAsync()
    {
        _clients = (await Clients.ListAsync(Aborted)).ToDictionary(c => c.Id);
        _endpoints = [.. (await Endpoints.ListAsync(null, Aborted)).OrderBy(e => ClientName(e.ApiClientId), StringComparer.CurrentCulture).ThenBy(e => e.CreatedAt)];
        if (_selected is { } selected) _selected = _endpoints.FirstOrDefault(e => e.Id == selected.Id);
    }

    private Task EnableAsync(WebhookEndpointView endpoint) => SetEnabledAsync(endpoint, true);

    private async Task DisableAsync()
    {
        if (_disabling is not { } endpoint) return;
        _disabling = null;
        await SetEnabledAsync(endpoint, false);
    }

    private async Task SetEnabledAsync(WebhookEndpointView endpoint, bool enabled)
    {
        _message = null;
        await BusyAsync(async () =>
        {
            var changed = await Endpoints.UpdateAsync(endpoint.Id, null, new WebhookEndpointRequest(null, null, null), enabled, Aborted);
            _message = changed is null ? (Severity.Warning, L["EndpointGone"])
                : enabled ? (Severity.Success, L["EnabledMessage", endpoint.Url])
                : (Severity.Success, L["DisabledMessage", endpoint.Url]);
            await LoadEndpointsAsync();
            // Enabling makes waiting messages due now: the open list shows their new next attempt.
            if (_selected?.Id == endpoint.Id) await ReloadMessagesAsync();
        });
    }

    private async Task OpenMessagesAsync(WebhookEndpointView endpoint)
    {
        _selected = endpoint;
        _messages = [];
        _expanded.Clear();
        _attempts.Clear();
        _messagesLoaded = false;
        await TryAsync(() => LoadMessagesAsync(null, PageSize));
        _messagesLoaded = true;
    }

    private void CloseMessages()
    {
        _selected = null;
        _messages = [];
    }

    private Task OlderAsync() => BusyAsync(() => LoadMessagesAsync(_messages.LastOrDefault()?.Id, PageSize));

    /// <summary>The pages loaded so far, read again (after a redelivery or enabling), so an older page the admin opened stays open.</summary>
    private async Task ReloadMessagesAsync()
    {
        var count = Math.Max(PageSize, _messages.Count);
        _messages = [];
        await LoadMessagesAsync(null, count);
    }

    private async Task LoadMessagesAsync(long? beforeId, int limit)
    {
        if (_selected is not { } endpoint) return;
        var page = await Endpoints.MessagesAsync(endpoint.Id, null, beforeId, limit, Aborted);
        _messages.AddRange(page);
        _hasOlder = page.Count == limit;
    }

    private async Task ToggleAttemptsAsync(WebhookMessageView message)
    {
        if (_expanded.Remove(message.Id)) return;
        _expanded.Add(message.Id);
        _attempts.Remove(message.Id); // read afresh each time it opens: the dispatcher may have tried again
        await TryAsync(async () => _attempts[message.Id] = await Endpoints.AttemptsAsync(message.Id, Aborted));
        if (!_attempts.ContainsKey(message.Id)) _expanded.Remove(message.Id); // not read: closed again, the page says why
    }

    private async Task RedeliverAsync(WebhookMessageView message)
    {
        _message = null;
        await BusyAsync(async () =>
        {
            var queued = await Endpoints.RedeliverAsync(message.Id, Aborted);
            _message = !queued ? (Severity.Warning, L["RedeliverRefused", message.MessageId])
                : _selected?.Enabled == false ? (Severity.Info, L["RedeliverQueuedDisabled", message.MessageId])
                : (Severity.Success, L["RedeliverQueued", message.MessageId]);
            await ReloadMessagesAsync();
        });
    }

    private async Task BusyAsync(Func<Task> work)
    {
        _busy = true;
        try
        {
            await TryAsync(work);
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

    private string ClientName(Guid id) => _clients.TryGetValue(id, out var c) ? c.Name : LogsPage.ShortId(id);

    private bool ClientRevoked(Guid id) => _clients.TryGetValue(id, out var c) && c.IsRevoked;

    /// <summary>
    /// Why it is off, in the admin's language. The engine stores its reason as English text; an
    /// endpoint the dispatcher turned off keeps its failing-since time, one turned off by hand does not.
    /// </summary>
    private string DisabledWhy(WebhookEndpointView e) =>
        e.FailingSince is { } since ? L["DisabledAutomatically", When(since)] : L["DisabledByHand"];

    private string DisableAfter()
    {
        var after = Options.Value.DisableAfter;
        return after >= TimeSpan.FromDays(2) ? L["Days", after.TotalDays.ToString("0.#", CultureInfo.CurrentCulture)]
            : L["Hours", after.TotalHours.ToString("0.#", CultureInfo.CurrentCulture)];
    }

    private string NextAttempt(WebhookMessageView m) => m switch
    {
        { State: not WebhookMessageState.Pending } => "—",
        { NextAttemptAt: { } next } => When(next),
        _ => L["WaitingTurn"],
    };

    private static Color StateColor(WebhookMessageState state) => state switch
    {
        WebhookMessageState.Delivered => Color.Success,
        WebhookMessageState.GivenUp => Color.Error,
        _ => Color.Info,
    };

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);
}
