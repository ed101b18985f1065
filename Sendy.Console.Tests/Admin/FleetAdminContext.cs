using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using MudBlazor;
using Sendy.Console.Staff;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;
using Sendy.Engine.Ingest;
using Sendy.Engine.Storage;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Console.Tests.Admin;

/// <summary>
/// bunit for the admin pages on a real test database: the engine's fleet services and the app's own
/// Identity set-up (its password rules), with bunit's authorization standing in for the cookie.
/// </summary>
public abstract class FleetAdminContext : SendyBunitContext
{
    public const string PublicBaseUrl = "http://sendy.test";

    protected FleetAdminContext(TestDatabase db, string culture = "en")
        : base(culture)
    {
        Db = db;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Sendy:PublicBaseUrl"] = PublicBaseUrl })
            .Build();

        Services.AddLogging();
        Services.AddMetrics();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddDbContextFactory<SendyDbContext>(o => SendyDatabase.Configure(o, db.ConnectionString));
        Services.AddSingleton(_ => new Npgsql.NpgsqlDataSourceBuilder(db.ConnectionString).Build());
        Services.AddOptions<PublicLinkOptions>().Bind(configuration.GetSection(PublicLinkOptions.Section));
        Services.AddSingleton<TrackingLinks>();
        Services.AddSingleton<FleetRegistry>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<Sendy.Engine.Trackers.TrackerReports>();
        Services.AddSingleton<Sendy.Engine.Quality.FlaggedFixes>();
        Services.AddSingleton<Sendy.Engine.Tracking.ITrackingQueries, Sendy.Engine.Tracking.EfTrackingQueries>();
        Services.AddSingleton<DriverTokenCache>();
        Services.AddSingleton<FleetAdmin>();
        Services.AddSingleton<FleetAdminQueries>();
        Services.AddSendyStaff(configuration, new HostingEnvironment { EnvironmentName = "Development" });
        Auth = AddAuthorization(); // after the app's authorization: bunit's stand-ins win
    }

    protected TestDatabase Db { get; }

    protected BunitAuthorizationContext Auth { get; }

    /// <summary>Signs the test in as an admin with the given account id (what UserManager.GetUserId reads).</summary>
    protected void SignInAsAdmin(string userId, string email = "admin@test.local")
    {
        Auth.SetAuthorized(email);
        Auth.SetRoles(StaffRoles.Admin, StaffRoles.Dispatcher);
        Auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, userId));
    }

    /// <summary>The page inside the providers MudBlazor's dialogs and popovers render into, as in MainLayout.</summary>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage<TPage>() where TPage : IComponent =>
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
            b.OpenComponent<TPage>(2);
            b.CloseComponent();
        });

    protected async Task<string> CreateUserAsync(string email, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = new StaffUser { UserName = email, Email = email, DisplayName = email.Split('@')[0] };
        Assert.True((await users.CreateAsync(user, "a-long-enough-pass")).Succeeded);
        if (roles.Length > 0) await users.AddToRolesAsync(user, roles);
        return user.Id;
    }

    protected override async Task InitializeAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in StaffRoles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }
}
