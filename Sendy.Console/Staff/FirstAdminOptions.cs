using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Staff;

/// <summary>The first admin, created on start while no admin exists. Bound from "Sendy:Admin".</summary>
public sealed class FirstAdminOptions : IValidatableObject
{
    public const string Section = "Sendy:Admin";

    [EmailAddress, MaxLength(StaffAccounts.MaxEmail)]
    public string? Email { get; set; }

    /// <summary>Checked against the staff password rule on start, not only when the account is created.</summary>
    [MinLength(StaffServiceCollectionExtensions.PasswordMinLength)]
    public string? Password { get; set; }

    [Required, MaxLength(StaffAccounts.MaxDisplayName)]
    public string DisplayName { get; set; } = "Administrator";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Email) != string.IsNullOrEmpty(Password))
            yield return new ValidationResult($"{Section}:Email and {Section}:Password go together: set both to create the first admin, or neither.",
                [nameof(Email), nameof(Password)]);
    }
}
