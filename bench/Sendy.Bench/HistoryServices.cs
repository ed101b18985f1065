using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Sendy.Engine;
using Sendy.Engine.Fleet;

namespace Sendy.Bench;

/// <summary>
/// The engine's own registrations over one database, nothing started: the history scenario takes
/// the app's services from here (trail and fleet queries, batch writer, partition job, retention),
/// so it measures whatever the app runs, including changes to how they are built.
/// </summary>
public static class HistoryServices
{
    public static ServiceProvider Build(string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sendy"] = connectionString,
            ["Sendy:Consumer:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter((_, level) => level >= LogLevel.Warning));
        services.AddSendyEngine(configuration);
        services.TryAddSingleton<IFleetQueries, PostgresFleetQueries>(); // registered by the console (AddSendyConsole)
        return services.BuildServiceProvider();
    }
}
