using Sendy.Engine.Audit;
using Sendy.Engine.Exports;

namespace Sendy.Engine.Storage;

/// <summary>
/// One thing a staff member (or an API client) did that the admin log keeps: who, when, what, and
/// how it ended. Written when the action starts and completed when it ends, so an export cut off
/// by a crash still shows who asked for it. No foreign keys: the record outlives what it names.
/// </summary>
public sealed class AdminLogEntry
{
    public long Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public AdminActorKind ActorKind { get; set; }

    /// <summary>The staff user's id, or the API client's id.</summary>
    public required string ActorId { get; set; }
    public string? ActorName { get; set; }
    public string? ActorEmail { get; set; }
    public AdminAction Action { get; set; }
    public ExportFormat? Format { get; set; }
    public Guid? DeliveryId { get; set; }
    public string? TruckId { get; set; }
    public DateOnly? Day { get; set; }

    /// <summary>Anything else that says what was asked, e.g. a log export's filter as its query string.</summary>
    public string? Detail { get; set; }

    /// <summary>Rows written (on a failed or aborted export, how many went out before it stopped).</summary>
    public long Rows { get; set; }
    public AdminLogOutcome Outcome { get; set; }
}
