using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sendy.Console.Components;
using Sendy.Console.Tests.Fakes;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Browser;

/// <summary>
/// The real console app on Kestrel (loopback, random port) with the engine replaced by fakes, for
/// browser tests. Test-only: the app itself never registers fakes. The entry type is App rather
/// than Program because the migrations project has a Program of its own.
/// </summary>
public sealed class UiTestHost : WebApplicationFactory<App>
{
    private UiTestHost()
    {
    }

    public FakeTrackingQueries Queries { get; } = new();

    public FakeLivePositionFeed Feed { get; } = new();

    public FakeFleetQueries Fleet { get; } = new();

    public FakeDeliveryLocales Locales { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static UiTestHost Start()
    {
        var host = new UiTestHost();
        host.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        host.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureLogging(logging => logging.AddProvider(new UiHostLog()));
        // Tiles from an address that answers 404, as a tile server does when it can't be reached:
        // the browser never leaves this machine and the map must cope.
        builder.UseSetting("Sendy:Map:TileUrl", "/test-tiles/{z}/{x}/{y}.png");
        // The engine still registers (its ports are replaced below); point it nowhere so nothing real is touched.
        builder.UseSetting("ConnectionStrings:Sendy", "Host=127.0.0.1;Port=1;Database=ui_test_unused");
        builder.UseSetting("Sendy:Stream:Endpoint", "http://127.0.0.1:1");
        builder.UseSetting("Sendy:Stream:StreamName", "ui-test-unused");
        builder.UseSetting("Sendy:RateLimits:CircuitPerIpPermits", "100000"); // many pages from one address a minute
        builder.ConfigureTestServices(services =>
        {
            // The engine's background work (stream consumers, jobs) has no place in a UI test.
            var background = services
                .Where(d => d.ServiceType == typeof(IHostedService) && !IsFrameworkHostedService(d))
                .ToList();
            foreach (var descriptor in background)
            {
                services.Remove(descriptor);
            }

            services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, _ => { });
            services.PostConfigure<Microsoft.AspNetCore.Authentication.AuthenticationOptions>(o =>
            {
                o.DefaultScheme = TestAuthHandler.SchemeName;
                o.DefaultAuthenticateScheme = TestAuthHandler.SchemeName;
                o.DefaultChallengeScheme = TestAuthHandler.SchemeName;
            });

            // No database here: keys in memory, and the test scheme's users are not Identity accounts to revalidate.
            services.AddDataProtection().UseEphemeralDataProtectionProvider();
            services.RemoveAll<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>();
            services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider,
                Microsoft.AspNetCore.Components.Server.ServerAuthenticationStateProvider>();

            services.RemoveAll<ITrackingQueries>();
            services.RemoveAll<ILivePositionFeed>();
            services.AddSingleton<ITrackingQueries>(Queries);
            services.AddSingleton<ILivePositionFeed>(Feed);
            services.RemoveAll<IFleetQueries>();
            services.AddSingleton<IFleetQueries>(Fleet);
            services.RemoveAll<Sendy.Engine.Deliveries.IDeliveryLocales>();
            services.AddSingleton<Sendy.Engine.Deliveries.IDeliveryLocales>(Locales);
        });
    }

    private static bool IsFrameworkHostedService(ServiceDescriptor descriptor)
    {
        var type = descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType();
        // Factory registrations can't be inspected; the web host itself is registered by type.
        return type?.Namespace?.StartsWith("Microsoft.", StringComparison.Ordinal) ?? false;
    }
}
