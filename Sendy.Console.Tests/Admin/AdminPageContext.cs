using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Sendy.Console.Map;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Admin;

/// <summary>A bunit context for the admin log pages: fake queries, a loose replay map module.</summary>
public abstract class AdminPageContext : BunitContext, IAsyncLifetime
{
    protected AdminPageContext(string culture = "en")
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        JSInterop.Mode = JSRuntimeMode.Loose;
        ReplayModule = JSInterop.SetupModule(RouteReplayMap.ModulePath);
        ReplayModule.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddLocalization();
        Services.AddSingleton<IDeliveryLogQueries>(Logs);
        Services.AddSingleton<IDeliveryHistoryQueries>(History);
        Services.AddSingleton(Options.Create(new MapOptions()));
        Services.AddOperationsClock();
    }

    protected FakeDeliveryLogQueries Logs { get; } = new();

    protected FakeDeliveryHistoryQueries History { get; } = new();

    protected BunitJSModuleInterop ReplayModule { get; }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers async-only disposables: the container must be disposed asynchronously.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
