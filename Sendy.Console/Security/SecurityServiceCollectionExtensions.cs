namespace Sendy.Console.Security;

public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSendySecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<SecurityHeaders>();
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

    /// <summary>Headers on every response, HSTS outside Development, then the rate limiter.</summary>
    public static WebApplication UseSendySecurity(this WebApplication app)
    {
        var headers = app.Services.GetRequiredService<SecurityHeaders>();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                headers.Apply(context.Response);
                return Task.CompletedTask;
            });
            return next(context);
        });
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseRateLimiter();
        return app;
    }
}
