using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Map;
using Sendy.Console.Tests.Fakes;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries.Live;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Track;

/// <summary>A bunit context with the services the tracking page needs, all fakes.</summary>
public abstract class TrackPageContext : SendyBunitContext
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    protected TrackPageContext(string culture = "en")
        : this(culture, new FakeTimeProvider(Start))
    {
    }

    private TrackPageContext(string culture, FakeTimeProvider time)
        : base(culture, time)
    {
        Time = time;
        MapModule = LooseModule(TruckMap.ModulePath);
        Services.AddSingleton<ITrackingQueries>(Queries);
        Services.AddSingleton<ILivePositionFeed>(Feed);
        Services.AddSingleton<IDeliveryStatusFeed>(StatusFeed);
        Services.AddSingleton(Options.Create(new MapOptions()));
    }

    protected FakeTimeProvider Time { get; }

    protected FakeTrackingQueries Queries { get; } = new();

    protected FakeLivePositionFeed Feed { get; } = new();

    protected StatusFanout StatusFeed { get; } = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<StatusFanout>.Instance);

    protected BunitJSModuleInterop MapModule { get; }
}
