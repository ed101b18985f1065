using Microsoft.AspNetCore.Identity;

namespace Sendy.Engine.Storage;

/// <summary>A dispatcher or admin who signs in (ASP.NET Core Identity). Drivers and customers use tokens instead.</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>"ko" or "en"; null means the browser's language.</summary>
    public string? Locale { get; set; }

    /// <summary>When the account was made (the database's clock when not set: the first admin, older rows).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

public static class StaffRoles
{
    public const string Dispatcher = "Dispatcher";
    public const string Admin = "Admin";
    public static readonly string[] All = [Dispatcher, Admin];
}
