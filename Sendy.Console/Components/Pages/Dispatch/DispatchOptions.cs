using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Components.Pages.Dispatch;

/// <summary>Dispatcher map settings, bound from <c>Sendy:Dispatch</c>.</summary>
public sealed class DispatchOptions : IValidatableObject
{
    public const string SectionName = "Sendy:Dispatch";

    /// <summary>A truck with no fix for this long is stale (flagged red).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At or above this speed a truck counts as moving; GPS jitter at a standstill stays below it.</summary>
    [Range(0.1, 200)]
    public double MovingSpeedKmh { get; set; } = 5;

    /// <summary>Minimum time between two marker updates sent to one browser (4 per second by default).</summary>
    public TimeSpan MapFlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the side list's states and counts are recomputed.</summary>
    public TimeSpan ListRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most points of a trail sent to the browser; longer trails are simplified by the database (stops kept).</summary>
    [Range(3, 20_000)]
    public int TrailMaxPoints { get; set; } = 2_000;

    public double MovingSpeedMps => MovingSpeedKmh / 3.6;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StaleAfter <= TimeSpan.Zero)
            yield return new ValidationResult("must be positive", [nameof(StaleAfter)]);
        if (MapFlushInterval < TimeSpan.FromMilliseconds(20) || MapFlushInterval > TimeSpan.FromSeconds(10))
            yield return new ValidationResult("must be between 20 ms and 10 s", [nameof(MapFlushInterval)]);
        if (ListRefreshInterval < TimeSpan.FromMilliseconds(100) || ListRefreshInterval > TimeSpan.FromMinutes(1))
            yield return new ValidationResult("must be between 100 ms and 1 min", [nameof(ListRefreshInterval)]);
    }
}
