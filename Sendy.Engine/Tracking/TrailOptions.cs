using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Tracking;

/// <summary>
/// Trails for the browser ("Sendy:Trails"): what counts as a stop, which a simplified trail always
/// keeps (see <see cref="SimplifiedTrail"/>).
/// </summary>
public sealed class TrailOptions
{
    public const string Section = "Sendy:Trails";

    /// <summary>A truck whose fixes stay within this distance of where it stood ...</summary>
    [Range(5, 1_000)]
    public double StopRadiusMeters { get; set; } = 50;

    /// <summary>... for at least this long has stopped there.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan StopMinDuration { get; set; } = TimeSpan.FromMinutes(5);
}
