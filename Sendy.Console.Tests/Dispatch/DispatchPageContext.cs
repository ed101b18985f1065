using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sendy.Console.Components.Pages.Dispatch;
using Sendy.Console.Map;
using Sendy.Console.Tests.Fakes;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Dispatch;

/// <summary>A bunit context with the services the dispatcher page needs, all fakes.</summary>
public abstract class DispatchPageContext : SendyBunitContext
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    protected DispatchPageContext(string culture = "en")
        : this(culture, new FakeTimeProvider(Start))
    {
    }

    private DispatchPageContext(string culture, FakeTimeProvider time)
        : base(culture, time)
    {
        Time = time;
        MapModule = LooseModule(FleetMap.ModulePath);
        Services.AddSingleton<IFleetQueries>(Fleet);
        Services.AddSingleton<ILivePositionFeed>(Feed);
        Services.AddSingleton(Options.Create(new MapOptions()));
        Services.AddSingleton(Options.Create(DispatchOptions));
    }

    protected DispatchOptions DispatchOptions { get; } = new();

    protected FakeTimeProvider Time { get; }

    protected FakeFleetQueries Fleet { get; } = new();

    protected FakeLivePositionFeed Feed { get; } = new();

    protected BunitJSModuleInterop MapModule { get; }

    protected IReadOnlyList<JSRuntimeInvocation> UpdateCalls => MapModule.Invocations["updateTrucks"];

    /// <summary>Rows of an updateTrucks call: [id, lat, lng, heading, speed, takenAtMs].</summary>
    protected static object?[][] Rows(JSRuntimeInvocation call) => (object?[][])call.Arguments[1]!;

    protected static FleetTruck Truck(string id, string name, TruckPosition? position, string? plate = null, string? driver = null,
        CurrentDelivery? delivery = null) => new(id, name, plate, driver, delivery, position);

    protected static TruckPosition Fix(string id, DateTimeOffset at, double speedMps, double lat = 37.5, double lng = 127.0, double? heading = 90) =>
        new(id, lat, lng, at, at, speedMps, heading, 5);
}
