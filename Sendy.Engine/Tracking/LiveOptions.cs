namespace Sendy.Engine.Tracking;

/// <summary>How positions reach live views. Bound from "Sendy:Live"; read when the services are registered.</summary>
public sealed class LiveOptions
{
    public const string Section = "Sendy:Live";

    /// <summary>Publish a fix to live views once the stream acknowledged it, before it is stored.</summary>
    public bool FastPath { get; set; } = true;

    /// <summary>Live views across nodes (PostgreSQL LISTEN/NOTIFY).</summary>
    public bool CrossNode { get; set; } = true;
}
