using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// The archive of positions ("Sendy:Archive"): each closed UTC day written as Parquet to an S3
/// bucket, verified, and only then may retention drop the day from PostgreSQL. Off by default:
/// retention then drops days without a copy, and the admin page says so.
/// </summary>
public sealed class ArchiveOptions : IValidatableObject
{
    public const string Section = "Sendy:Archive";

    public bool Enabled { get; set; }

    /// <summary>The bucket the days go to.</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix: objects are <c>{Prefix}/date=YYYY-MM-DD/part-NNNN.parquet</c> (Hive-style).</summary>
    [RegularExpression("^[a-z0-9][a-z0-9_-]{0,62}$")]
    public string Prefix { get; set; } = "positions";

    public string Region { get; set; } = "us-east-1";

    /// <summary>An S3-compatible endpoint (moto locally); empty: AWS's for <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Create the bucket when it is missing (local set-ups; in AWS the stack creates it).</summary>
    public bool CreateBucketIfMissing { get; set; }

    /// <summary>How long the archive keeps a day: an S3 lifecycle rule on the prefix, set by the archiver at start.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A day is archived once it has been over this long (late fixes still arriving after it are archived again).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan After { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Rows per Parquet object (a day of 86 million fixes is about 86 objects).</summary>
    [Range(1_000, 10_000_000)]
    public int RowsPerObject { get; set; } = 1_000_000;

    /// <summary>Rows per Parquet row group inside an object.</summary>
    [Range(1_000, 10_000_000)]
    public int RowsPerRowGroup { get; set; } = 250_000;

    /// <summary>A restored day stays in PostgreSQL this long before retention may drop it again.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan RestoredFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the archiver looks for days to write (it also looks at start).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Run the archiver on this node (every node may: one at a time works).</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>One S3 request's time limit.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && string.IsNullOrWhiteSpace(Bucket))
            yield return new ValidationResult("Sendy:Archive:Bucket is required when the archive is enabled.", [nameof(Bucket)]);
        if (!string.IsNullOrWhiteSpace(ServiceUrl) && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
            yield return new ValidationResult($"Sendy:Archive:ServiceUrl '{ServiceUrl}' is not an absolute URL.", [nameof(ServiceUrl)]);
        if (RowsPerRowGroup > RowsPerObject)
            yield return new ValidationResult($"{nameof(RowsPerRowGroup)} ({RowsPerRowGroup}) cannot be more than {nameof(RowsPerObject)} ({RowsPerObject}).", [nameof(RowsPerRowGroup)]);
    }
}
