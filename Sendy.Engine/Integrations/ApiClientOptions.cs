using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Integrations;

public sealed class ApiClientOptions : IValidatableObject
{
    public const string Section = "Sendy:ApiClients";

    /// <summary>
    /// How long a node trusts a key it checked without asking the database again. A key revoked on
    /// this node stops at once; on other nodes within this time.
    /// </summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A client's "last used" is written at most this often (not on every call).</summary>
    public TimeSpan LastUsedResolution { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CacheFor < TimeSpan.Zero || CacheFor > TimeSpan.FromMinutes(5))
            yield return new ValidationResult("must be between 0 and 5 minutes", [nameof(CacheFor)]);
        if (LastUsedResolution < TimeSpan.FromSeconds(1) || LastUsedResolution > TimeSpan.FromHours(1))
            yield return new ValidationResult("must be between 1 second and 1 hour", [nameof(LastUsedResolution)]);
    }
}
