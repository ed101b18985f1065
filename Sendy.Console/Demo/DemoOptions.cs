using System.ComponentModel.DataAnnotations;

namespace Sendy.Console.Demo;

/// <summary>The demo fleet (run command only). Bound from "Sendy:Demo".</summary>
public sealed class DemoOptions
{
    public const string Section = "Sendy:Demo";

    public bool Enabled { get; set; }

    [Range(1, 10_000)]
    public int Trucks { get; set; } = 24;

    /// <summary>Where the customer link, driver link and driver token are written for the run script to print.</summary>
    public string? LinksFile { get; set; }

    /// <summary>How often each simulated phone uploads its queued fixes (the phones take a fix every second).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UploadInterval { get; set; } = TimeSpan.FromSeconds(2);
}
