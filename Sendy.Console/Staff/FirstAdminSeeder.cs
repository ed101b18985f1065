using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sendy.Engine.Storage;

namespace Sendy.Console.Staff;

/// <summary>
/// On start: makes sure the roles exist and, when no admin exists yet and Sendy:Admin:Email/Password
/// are configured, creates the first admin. Never changes an existing account.
/// </summary>
public sealed partial class FirstAdminSeeder(IServiceScopeFactory scopes, IOptions<FirstAdminOptions> options, ILogger<FirstAdminSeeder> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        foreach (var role in StaffRoles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));

        if ((await users.GetUsersInRoleAsync(StaffRoles.Admin)).Count > 0) return;
        var (email, password) = (options.Value.Email, options.Value.Password);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            LogNoAdmin(logger);
            return;
        }
        var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = options.Value.DisplayName };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            throw new InvalidOperationException("The first admin could not be created: " + string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(user, [StaffRoles.Admin, StaffRoles.Dispatcher]);
        LogCreated(logger, email);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "First admin {Email} created from configuration")]
    private static partial void LogCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No admin exists and Sendy:Admin:Email/Password are not set: nobody can sign in yet")]
    private static partial void LogNoAdmin(ILogger logger);
}
