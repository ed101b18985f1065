using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Sendy.Console.Operations;
using Sendy.Console.Resources;
using Sendy.Engine.Audit;

namespace Sendy.Console.Components.Pages.Admin;

/// <summary>The admin log's tab on /admin/logs: one server page at a time from <see cref="IAdminLog"/>, newest first.</summary>
public sealed partial class AdminLogGrid
{
    private static readonly int[] PageSizes = [25, 50, 100, 200];

    private bool _loadFailed;

    [Inject] private IStringLocalizer<AdminLogsText> L { get; set; } = null!;

    [Inject] private IAdminLog Log { get; set; } = null!;

    [Inject] private OperationsClock Clock { get; set; } = null!;

    [Inject] private ILogger<AdminLogGrid> Logger { get; set; } = null!;

    private async Task<GridData<AdminLogRow>> LoadAsync(GridState<AdminLogRow> state, CancellationToken cancellationToken)
    {
        try
        {
            var page = await Log.PageAsync(state.Page, state.PageSize, cancellationToken);
            _loadFailed = false;
            return new GridData<AdminLogRow> { Items = page.Rows, TotalItems = page.Total };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LoadFailed(Logger, ex);
            _loadFailed = true;
            StateHasChanged();
            return new GridData<AdminLogRow> { Items = [], TotalItems = 0 };
        }
    }

    private string When(DateTimeOffset at) => Clock.ToLocal(at).ToString("g", CultureInfo.CurrentCulture);

    private string WhoText(AdminActor who) => who.Kind == AdminActorKind.ApiClient
        ? L["ActorApiClient", who.Name ?? who.Id]
        : who.Name ?? who.Email ?? who.Id;

    private static Color OutcomeColor(AdminLogOutcome outcome) => outcome switch
    {
        AdminLogOutcome.Completed => Color.Success,
        AdminLogOutcome.Failed => Color.Error,
        AdminLogOutcome.Aborted => Color.Warning,
        _ => Color.Default,
    };

    private string OutcomeHint(AdminLogOutcome outcome) => L["OutcomeHint_" + outcome];

    [LoggerMessage(1, LogLevel.Warning, "Admin log query failed")]
    private static partial void LoadFailed(ILogger logger, Exception exception);
}
