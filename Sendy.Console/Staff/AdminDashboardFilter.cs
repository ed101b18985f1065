using Hangfire.Dashboard;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>The Hangfire dashboard (/admin/jobs) is for signed-in admins only.</summary>
public sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        context.GetHttpContext().User is { Identity.IsAuthenticated: true } user && user.IsInRole(StaffRoles.Admin);
}
