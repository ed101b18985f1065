using Sendy.Engine.Exports;

namespace Sendy.Engine.Audit;

/// <summary>What the admin log records. Stored by name: append new ones, never rename.</summary>
public enum AdminAction
{
    /// <summary>A delivery's track (every fix of its truck from assignment to delivery).</summary>
    DeliveryTrackExport,

    /// <summary>A truck's track over one day in the operations time zone.</summary>
    TruckDayTrackExport,

    /// <summary>The deliveries log as CSV (/admin/logs).</summary>
    DeliveriesLogExport,

    /// <summary>The status events log as CSV (/admin/logs).</summary>
    StatusEventsLogExport,
}

/// <summary>How a logged action ended. <see cref="Started"/> stays when the node died before it could say.</summary>
public enum AdminLogOutcome
{
    Started,
    Completed,

    /// <summary>The server failed part way (the database went away, a bug): the file the caller got is cut short.</summary>
    Failed,

    /// <summary>The caller went away (closed the tab, cancelled the download) before the end.</summary>
    Aborted,
}

/// <summary>What was asked, as the admin log keeps it.</summary>
public sealed record StaffAction(AdminAction Action, ExportFormat? Format = null, Guid? DeliveryId = null, string? TruckId = null,
    DateOnly? Day = null, string? Detail = null)
{
    public const int MaxDetail = 2000;
}

/// <summary>One row of the admin log as the admin page shows it.</summary>
public sealed record AdminLogRow(long Id, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, AdminActor Who, StaffAction What, long Rows,
    AdminLogOutcome Outcome);
