using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Sendy.Engine;

namespace Sendy.Console.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSendySecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<SecurityHeaders>();
        var proxy = services.AddValidatedOptions<ProxyOptions>(configuration, ProxyOptions.Section);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The host too: the CSP names the WebSocket of the host the browser asked for.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.ForwardLimit = proxy.ForwardLimit;
            // Only the configured proxies: the framework's default also trusts loopback.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in proxy.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in proxy.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        services.AddSendyRateLimits(configuration);
        services.AddAntiforgery(o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        return services;
    }

    /// <summary>
    /// The client's address and scheme from trusted proxies first (everything after sees the real
    /// client: rate limits, HSTS, Secure cookies, logs), headers on every response, HSTS outside
    /// Development, then the rate limiter.
    /// </summary>
    public static WebApplication UseSendySecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // A trusted proxy may still pass on a client's odd X-Forwarded-Proto: only http and https
        // become the request's scheme; anything else is a bad request, not a server error later.
        app.Use((http, next) => http.Request.Scheme is "http" or "https"
            ? next(http)
            : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad forwarded scheme",
                detail: "X-Forwarded-Proto must be http or https.").ExecuteAsync(http));
        var headers = app.Services.GetRequiredService<SecurityHeaders>();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                headers.Apply(context);
                return Task.CompletedTask;
            });
            return next(context);
        });
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseRateLimiter();
        return app;
    }
}
