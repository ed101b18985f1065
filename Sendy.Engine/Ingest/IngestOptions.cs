using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Sendy:Ingest";

    [Range(1, 500)]
    public int MaxFixesPerBatch { get; set; } = 500;

    [Range(1024, 5 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Device clocks run a little ahead; more than this is a wrong clock.</summary>
    public TimeSpan MaxClockAhead { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Older fixes are refused: a queue that old is not live tracking any more.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>What a 503 tells the client to wait before retrying.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
