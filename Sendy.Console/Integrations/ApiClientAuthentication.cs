using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sendy.Console.Api;
using Sendy.Engine.Integrations;

namespace Sendy.Console.Integrations;

/// <summary>
/// The "ApiClient" authentication scheme: <c>Authorization: Bearer sendy_sk_…</c>. A bearer token
/// without the prefix is none of its business (driver tokens are checked by their endpoints), so
/// it answers "no result" and the request goes on as anonymous for this scheme.
/// </summary>
public sealed class ApiClientAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiClientRegistry clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiClient";
    public const string CallerClaim = "sendy:caller";
    public const string CallerApiClient = "api-client";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken.From(Request);
        if (!ApiClientSecrets.HasPrefix(token)) return AuthenticateResult.NoResult();
        var caller = await clients.AuthenticateAsync(token!, Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("Unknown or revoked API key.");
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, caller.ClientId.ToString()),
            new(ClaimTypes.Name, caller.Name),
            new(CallerClaim, CallerApiClient),
            .. caller.Scopes.Select(s => new Claim(ScopeClaim, s)),
        ];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = ApiClientSecrets.HasPrefix(BearerToken.From(Request));
        Response.Headers.WWWAuthenticate = presented ? "Bearer error=\"invalid_token\"" : "Bearer";
        if (Response.HasStarted) return;
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized,
            title: presented ? "Unknown or revoked API key" : "Authentication required",
            detail: "Sign in as staff, or send an API client's key as 'Authorization: Bearer sendy_sk_…'.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Response.HasStarted) return;
        var scopes = Context.User.FindAll(ScopeClaim).Select(c => c.Value).ToList();
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for this API key",
            detail: $"This key's scopes ({(scopes.Count == 0 ? "none" : string.Join(", ", scopes))}) do not include this action.")
            .ExecuteAsync(Context);
    }
}
