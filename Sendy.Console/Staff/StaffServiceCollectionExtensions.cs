using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Sendy.Engine;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>Sign-in for dispatchers and admins: ASP.NET Core Identity on the same PostgreSQL database.</summary>
public static class StaffServiceCollectionExtensions
{
    public const string DispatcherPolicy = "Dispatcher";
    public const string AdminPolicy = "Admin";

    /// <summary>Length over composition rules (NIST SP 800-63B).</summary>
    public const int PasswordMinLength = 12;

    public static IServiceCollection AddSendyStaff(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddIdentityCore<StaffUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = PasswordMinLength;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SendyDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<StaffClaimsFactory>();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "sendy.staff";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax; // Strict would drop the cookie on the redirect back from the login form's ReturnUrl in some browsers
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            // An API caller gets a status code, not a login page.
            o.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder().AddStaffPolicies();
        services.AddCascadingAuthenticationState();
        var session = services.AddValidatedOptions<StaffSessionOptions>(configuration, StaffSessionOptions.Section);
        // Open tabs and cookies alike are checked against the account at this interval.
        services.AddScoped<AuthenticationStateProvider, StaffRevalidation>();
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = session.RevalidationInterval);
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<StaffSignIn>();
        services.AddValidatedOptions<FirstAdminOptions>(configuration, FirstAdminOptions.Section);
        services.AddHostedService<FirstAdminSeeder>();
        services.AddSingleton<StaffAccounts>();
        return services;
    }

    /// <summary>Admins may do everything dispatchers may.</summary>
    public static AuthorizationBuilder AddStaffPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(DispatcherPolicy, p => p.RequireRole(StaffRoles.Dispatcher, StaffRoles.Admin))
        .AddPolicy(AdminPolicy, p => p.RequireRole(StaffRoles.Admin));

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        return (status == StatusCodes.Status401Unauthorized
            ? Results.Problem(statusCode: status, title: "Authentication required",
                detail: "Sign in as staff, or send an API client's key as 'Authorization: Bearer sendy_sk_…'.")
            : Results.Problem(statusCode: status, title: "Not allowed", detail: "This account's role does not include this action.")).ExecuteAsync(context.HttpContext);
    }
}
