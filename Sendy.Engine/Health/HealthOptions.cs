using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Health;

public sealed class HealthOptions
{
    public const string Section = "Sendy:Health";

    /// <summary>
    /// How long /health/ready reuses the stream's last answer: load balancers probe every node every
    /// few seconds, and ListShards is a control-plane call with its own per-stream limit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan StreamCheckCacheFor { get; set; } = TimeSpan.FromSeconds(5);
}
