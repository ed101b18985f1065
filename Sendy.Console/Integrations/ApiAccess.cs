using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Sendy.Engine.Storage;
using Sendy.Console.Api;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Integrations;

/// <summary>
/// Who may call the API that staff and booking systems share: a signed-in dispatcher or admin
/// (cookie), or an API client whose key carries the endpoint's scope.
/// </summary>
public static class ApiAccess
{
    /// <summary>The policy of one scope ("scope:deliveries:read").</summary>
    public static string Policy(string scope) => "scope:" + scope;

    /// <summary>The default scheme: an API key's bearer token goes to the API client scheme, everything else to the staff cookie.</summary>
    public const string CallerScheme = "SendyCaller";

    /// <summary>
    /// The API client scheme, a default scheme that picks it or the staff cookie by the request's
    /// credential, and the scope policies. Call after <c>AddSendyStaff</c>: this replaces its default.
    /// </summary>
    public static IServiceCollection AddSendyApiAccess(this IServiceCollection services)
    {
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, null, o => o.ForwardDefaultSelector = http =>
                ApiClientSecrets.HasPrefix(BearerToken.From(http.Request)) ? ApiClientAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiClientAuthenticationHandler>(ApiClientAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddScopePolicies();
        return services;
    }

    /// <summary>One policy per scope: staff may do everything, an API client what its key's scopes say.</summary>
    public static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder builder)
    {
        foreach (var scope in ApiScopes.All)
            builder.AddPolicy(Policy(scope), p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c => c.User.IsInRole(StaffRoles.Dispatcher) || c.User.IsInRole(StaffRoles.Admin) || c.User.HasClaim(ApiClientAuthenticationHandler.ScopeClaim, scope)));
        return builder;
    }

    public static bool IsApiClient(this ClaimsPrincipal user) =>
        user.HasClaim(ApiClientAuthenticationHandler.CallerClaim, ApiClientAuthenticationHandler.CallerApiClient);

    /// <summary>The API client's id, when the caller is one.</summary>
    public static Guid? ApiClientId(this ClaimsPrincipal user) =>
        user.IsApiClient() && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>Who the status log records: the API client by name, or the signed-in dispatcher.</summary>
    public static StatusActor Actor(this ClaimsPrincipal user) => user.IsApiClient()
        ? StatusActor.ApiClient(user.Identity?.Name ?? "api client")
        : StatusActor.Dispatcher(user.Identity?.Name);
}
