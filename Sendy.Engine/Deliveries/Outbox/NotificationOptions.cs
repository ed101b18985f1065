using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Deliveries.Outbox;

/// <summary>Outbox dispatch, Hangfire and position export. Bound from "Sendy:Notifications". Channel switches are the adapters' own Enabled flags.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Sendy:Notifications";

    /// <summary>Run the Hangfire server (job workers) and the outbox dispatcher on this node.</summary>
    public bool ServerEnabled { get; set; } = true;

    [Range(1, 100)]
    public int WorkerCount { get; set; } = 5;

    /// <summary>How often the dispatcher looks for pending outbox rows (a NOTIFY on sendy_outbox wakes it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10_000)]
    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>How often Hangfire workers poll the queue.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cron of the recurring job that ships positions to OpenSearch (a no-op while OpenSearch is off).</summary>
    [Required]
    public string PositionExportCron { get; set; } = "* * * * *";

    [Range(1, 100_000)]
    public int PositionExportBatchSize { get; set; } = 5_000;

    /// <summary>Positions younger than this are left for the next run: a batch stored a moment ago may still be committing with an older stored_at.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PositionExportLag { get; set; } = TimeSpan.FromSeconds(30);
}
