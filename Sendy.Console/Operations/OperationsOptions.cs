using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Operations;

/// <summary>
/// The operations time zone, bound from <c>Sendy:TimeZone</c> (an IANA id). Every page shows times
/// and cuts days ("today", date filters) in this zone, whatever zone the server runs in.
/// </summary>
public sealed class OperationsOptions : IValidatableObject
{
    /// <summary>The section holding <see cref="TimeZone"/>: it is a single value directly under "Sendy".</summary>
    public const string SectionName = "Sendy";

    public const string DefaultTimeZone = "Asia/Seoul";

    public string TimeZone { get; set; } = DefaultTimeZone;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // IANA only: the browser (Intl, route replay) is given the same id and knows no Windows ids.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out var zone) || !zone.HasIanaId)
            yield return new ValidationResult($"Sendy:TimeZone '{TimeZone}' is not a known IANA time zone id (e.g. Asia/Seoul)",
                [nameof(TimeZone)]);
    }
}
