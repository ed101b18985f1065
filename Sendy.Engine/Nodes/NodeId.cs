namespace Sendy.Engine.Nodes;

/// <summary>
/// This process's identity among the nodes sharing one database and stream: the lease owner and
/// worker row of the consumer (KCL's worker id) and the origin on the live and status channels,
/// so a node skips its own announcements. Configured as Sendy:Consumer:WorkerId (unique by default).
/// </summary>
public sealed record NodeId
{
    public NodeId(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    public override string ToString() => Value;
}
