using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Console.Map;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Audit;
using Sendy.Engine.Audit.InMemory;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Tests.Admin;

/// <summary>A bunit context for the admin log pages: fake queries, an in-memory admin log, a loose replay map module.</summary>
public abstract class AdminPageContext : SendyBunitContext
{
    protected AdminPageContext(string culture = "en")
        : base(culture)
    {
        ReplayModule = LooseModule(RouteReplayMap.ModulePath);
        Services.AddSingleton<IDeliveryLogQueries>(Logs);
        Services.AddSingleton<IDeliveryHistoryQueries>(History);
        Services.AddSingleton<IAdminLog>(AdminLog);
        Services.AddSingleton(Options.Create(new MapOptions()));
    }

    protected FakeDeliveryLogQueries Logs { get; } = new();

    protected FakeDeliveryHistoryQueries History { get; } = new();

    protected InMemoryAdminLog AdminLog { get; } = new();

    protected BunitJSModuleInterop ReplayModule { get; }
}
