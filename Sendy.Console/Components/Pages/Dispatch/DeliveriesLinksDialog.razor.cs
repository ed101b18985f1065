using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Engine.Deliveries.ShareLinks;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>
/// A delivery's tracking links for dispatchers (issue 17, item 6): copy the current one, revoke a
/// link (its page says "no longer valid" at once), extend one by a week (past the default after
/// close if need be), or reissue: a new link, the current one revoked.
/// </summary>
public sealed partial class DeliveriesLinksDialog
{
    /// <summary>What one click on "extend" adds, from now or from the link's expiry, whichever is later.</summary>
    public static readonly TimeSpan ExtendBy = TimeSpan.FromDays(7);

    private IReadOnlyList<ShareLinkView>? _links;
    private string? _error;
    private bool _busy;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = null!;

    [Parameter, EditorRequired] public Guid DeliveryId { get; set; }

    [Inject] private ShareLinkService Links { get; set; } = null!;

    [Inject] private AuthenticationStateProvider Auth { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private TimeProvider Time { get; set; } = null!;

    private DeliveriesTimes Times { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        Times = new DeliveriesTimes(Clock);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _links = await Links.ListAsync(DeliveryId, Aborted);
        if (_links is null) _error = L["NotFound"];
    }

    private async Task<string> ActorAsync() =>
        ShareLinkService.Label(Sendy.Engine.Deliveries.StatusActor.Dispatcher((await Auth.GetAuthenticationStateAsync()).User.Identity?.Name));

    private Task RevokeAsync(ShareLinkView link) => RunAsync(async () =>
        (await Links.RevokeAsync(DeliveryId, link.Id, await ActorAsync(), Aborted)).Outcome == ShareLinkOutcome.Done);

    private Task ExtendAsync(ShareLinkView link) => RunAsync(async () =>
    {
        var now = Time.GetUtcNow();
        var from = link.ExpiresAt is { } e && e > now ? e : now;
        var until = from + ExtendBy > now + ShareLinkService.MaxLifetime ? now + ShareLinkService.MaxLifetime : from + ExtendBy;
        return (await Links.ExtendAsync(DeliveryId, link.Id, until, await ActorAsync(), Aborted)).Outcome == ShareLinkOutcome.Done;
    });

    private Task ReissueAsync() => RunAsync(async () => await Links.ReissueAsync(DeliveryId, await ActorAsync(), Aborted) is not null);

    /// <summary>One change at a time; the list is read again after it, whatever happened meanwhile.</summary>
    private async Task RunAsync(Func<Task<bool>> change)
    {
        if (_busy) return;
        _busy = true;
        _error = null;
        try
        {
            if (!await change()) _error = L["Links_Failed"];
            await LoadAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private static Color StateColor(ShareLinkState state) => state switch
    {
        ShareLinkState.Active => Color.Success,
        ShareLinkState.Expired => Color.Warning,
        _ => Color.Default,
    };
}
