using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Search;

/// <summary>The recurring position export to OpenSearch. Bound from "Sendy:Notifications", where these keys have always been.</summary>
public sealed class PositionExportOptions
{
    public const string Section = "Sendy:Notifications";

    /// <summary>Cron of the recurring job that ships positions to OpenSearch (a no-op while OpenSearch is off).</summary>
    [Required]
    public string PositionExportCron { get; set; } = "* * * * *";

    [Range(1, 100_000)]
    public int PositionExportBatchSize { get; set; } = 5_000;

    /// <summary>Positions younger than this are left for the next run: a batch stored a moment ago may still be committing with an older stored_at.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PositionExportLag { get; set; } = TimeSpan.FromSeconds(30);
}
