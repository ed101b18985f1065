using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Console.Tests.Infrastructure;
using Sendy.Console.Components.Layout;
using Sendy.Console.Staff;
using Sendy.Engine.Storage;

namespace Sendy.Console.Tests.Preferences;

/// <summary>The staff menu shows the pages a role opens, with the app's own policies.</summary>
public sealed class StaffNavMenuTests : SendyBunitContext
{
    public StaffNavMenuTests()
    {
        // The real authorization service and the app's own policies, in place of bunit's placeholders.
        Services.RemoveAll<IAuthorizationService>();
        Services.RemoveAll<IAuthorizationPolicyProvider>();
        Services.AddAuthorizationBuilder().AddStaffPolicies();
    }

    [Fact]
    public void a_dispatcher_sees_the_dispatch_pages_only() =>
        Assert.Equal(["dispatch", "deliveries"], Links(StaffRoles.Dispatcher));

    [Fact]
    public void an_admin_sees_every_page_including_the_jobs_dashboard() =>
        Assert.Equal(["dispatch", "deliveries", "fleet", "staff", "integrations", "webhooks", "logs", "consumers", "history", "jobs"], Links(StaffRoles.Admin));

    [Fact]
    public void someone_without_a_staff_role_sees_nothing() =>
        Assert.Empty(Links());

    private string[] Links(params string[] roles)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone@test.local"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test");
        var state = Task.FromResult(new AuthenticationState(new ClaimsPrincipal(identity)));
        var menu = Render<CascadingValue<Task<AuthenticationState>>>(p => p
            .Add(x => x.Value, state)
            .AddChildContent<StaffNavMenu>());
        return menu.FindAll("[data-nav]").Select(e => e.GetAttribute("data-nav")!).ToArray();
    }
}
