using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.Jobs;

/// <summary>The Hangfire job server. Bound from "Sendy:Notifications", where these keys have always been.</summary>
public sealed class JobServerOptions
{
    public const string Section = "Sendy:Notifications";

    /// <summary>Run the Hangfire server (job workers) and the outbox dispatcher on this node.</summary>
    public bool ServerEnabled { get; set; } = true;

    [Range(1, 100)]
    public int WorkerCount { get; set; } = 5;

    /// <summary>How often Hangfire workers poll the queue.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
