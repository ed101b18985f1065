using Sendy.Engine.Nodes;

namespace Sendy.Engine.Tracking;

/// <summary>
/// Present when live views cross nodes (Sendy:Live:CrossNode): stored positions are announced on
/// PostgreSQL's LISTEN/NOTIFY channel as coming from <paramref name="Node"/>. Absent, each node shows only its own.
/// </summary>
public sealed record CrossNodeLive(NodeId Node);
