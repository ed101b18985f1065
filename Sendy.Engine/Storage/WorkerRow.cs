namespace Sendy.Engine.Storage;

/// <summary>A consumer node's heartbeat, so admins see workers that hold no lease too.</summary>
public sealed class WorkerRow
{
    public required string WorkerId { get; set; }
    public required string Host { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastHeartbeatAt { get; set; }
    public int LeaseCount { get; set; }
}
