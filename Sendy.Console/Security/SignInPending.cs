using System.Text.Encodings.Web;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Sendy.Console.Security;

/// <summary>
/// Stand-in authentication until sign-in (ASP.NET Core Identity) lands: it never signs anyone in,
/// so everything behind the Dispatcher or Admin policy answers 401. The sign-in issue replaces
/// this scheme; the policies and the endpoints stay as they are.
/// </summary>
public sealed class SignInPendingHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SignInPending";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
}

/// <summary>The Hangfire dashboard is for admins only.</summary>
public sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        context.GetHttpContext().User is { Identity.IsAuthenticated: true } user && user.IsInRole(Roles.Admin);
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string Dispatcher = "Dispatcher";
}
