using System.ComponentModel.DataAnnotations;

namespace Sendy.Engine.History;

/// <summary>How long positions are kept in PostgreSQL and how their daily partitions are kept ("Sendy:History").</summary>
public sealed class HistoryOptions
{
    public const string Section = "Sendy:History";

    /// <summary>Positions older than this leave PostgreSQL (their day's partition is dropped).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Partitions are created this many days ahead of today (UTC), so fixes never wait for one.</summary>
    [Range(1, 60)]
    public int DaysAhead { get; set; } = 7;

    /// <summary>How often the partition job runs (it also runs at start).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A closed day is vacuumed this long after its end (late fixes mostly in) unless its pages are
    /// all-visible already, so a trail reads it from the primary key alone (an index-only scan).
    /// Autovacuum alone may leave the last fifth of a day's pages unmarked: its insert threshold
    /// is a share of the table, which a day that stopped growing never reaches again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan VacuumClosedDayAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Run the partition job on this node (every node may: one at a time does a pass).</summary>
    public bool MaintenanceEnabled { get; set; } = true;
}
