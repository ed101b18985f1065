using Microsoft.AspNetCore.Identity;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

public static class StaffEndpoints
{
    public static WebApplication MapStaffEndpoints(this WebApplication app)
    {
        // A form post with antiforgery (validated by the framework for form-bound endpoints).
        app.MapPost("/account/logout", async (SignInManager<StaffUser> signIn, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect(returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) ? url : "/");
        });
        return app;
    }
}
