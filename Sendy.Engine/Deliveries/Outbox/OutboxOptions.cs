using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Deliveries.Outbox;

/// <summary>The outbox dispatcher. Bound from "Sendy:Notifications", where these keys have always been.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Sendy:Notifications";

    /// <summary>How often the dispatcher looks for pending outbox rows (a NOTIFY on sendy_outbox wakes it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10_000)]
    public int OutboxBatchSize { get; set; } = 100;
}
