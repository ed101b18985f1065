using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Components.Pages.Driver;

/// <summary>
/// How often the driver's phone records a position, bound from <c>Sendy:DriverPage</c> and handed to
/// driver.js as data attributes. A fix is kept when the truck moved at least <see cref="MinDistanceMeters"/>
/// or <see cref="MinInterval"/> passed since the last kept one, and always at a status change: fewer
/// uploads and radio wake-ups on a long day, the same trail where the truck actually goes.
/// </summary>
public sealed class DriverPageOptions
{
    public const string SectionName = "Sendy:DriverPage";

    [Range(0, 10_000)]
    public double MinDistanceMeters { get; set; } = 25;

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>GPS rather than network location: needed on the road, costs battery.</summary>
    public bool HighAccuracy { get; set; } = true;

    /// <summary>How old a cached position the browser may hand over instead of a fresh one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaximumAge { get; set; } = TimeSpan.FromSeconds(10);
}
