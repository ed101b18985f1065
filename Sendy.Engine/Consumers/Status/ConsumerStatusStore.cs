using Npgsql;

namespace Sendy.Engine.Consumers.Status;

public sealed record WorkerStatus(string WorkerId, string Host, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeatAt, int LeaseCount);

public sealed record LeaseStatus(string ShardId, string? Owner, string Checkpoint, long? MillisBehindLatest,
    DateTimeOffset? LastRenewedAt, DateTimeOffset? LastCheckpointAt, IReadOnlyList<string> ParentShardIds, int OwnerSwitchesSinceCheckpoint);

/// <summary>
/// Visibility data beside the lease table: worker heartbeats and each lease's lag. These writes
/// are not ownership writes (no counter), so they never interfere with compare-and-set.
/// </summary>
public interface IConsumerStatusStore
{
    Task HeartbeatAsync(WorkerStatus worker, CancellationToken cancellationToken);

    Task ReportLagAsync(string streamName, string shardId, string owner, long? millisBehindLatest, CancellationToken cancellationToken);

    Task RemoveWorkerAsync(string workerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkerStatus>> ListWorkersAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<LeaseStatus>> ListLeasesAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>Records of this stream the consumer could not use (poison, unknown truck), kept in dead_letters.</summary>
    Task<long> CountDeadLettersAsync(string streamName, CancellationToken cancellationToken);
}

public sealed class PostgresConsumerStatusStore(NpgsqlDataSource dataSource) : IConsumerStatusStore
{
    public async Task HeartbeatAsync(WorkerStatus w, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO workers (worker_id, host, started_at, last_heartbeat_at, lease_count) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat_at = excluded.last_heartbeat_at, lease_count = excluded.lease_count
            """);
        cmd.Parameters.Add(new() { Value = w.WorkerId });
        cmd.Parameters.Add(new() { Value = w.Host });
        cmd.Parameters.Add(new() { Value = w.StartedAt });
        cmd.Parameters.Add(new() { Value = w.LastHeartbeatAt });
        cmd.Parameters.Add(new() { Value = w.LeaseCount });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReportLagAsync(string streamName, string shardId, string owner, long? millisBehindLatest, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE leases SET millis_behind_latest = $4 WHERE stream_name = $1 AND shard_id = $2 AND owner = $3");
        cmd.Parameters.Add(new() { Value = streamName });
        cmd.Parameters.Add(new() { Value = shardId });
        cmd.Parameters.Add(new() { Value = owner });
        cmd.Parameters.Add(new() { Value = (object?)millisBehindLatest ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveWorkerAsync(string workerId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM workers WHERE worker_id = $1");
        cmd.Parameters.Add(new() { Value = workerId });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WorkerStatus>> ListWorkersAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT worker_id, host, started_at, last_heartbeat_at, lease_count FROM workers ORDER BY worker_id");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<WorkerStatus>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new WorkerStatus(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateTimeOffset>(3), r.GetInt32(4)));
        return list;
    }

    public async Task<IReadOnlyList<LeaseStatus>> ListLeasesAsync(string streamName, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT shard_id, owner, checkpoint, millis_behind_latest, last_renewed_at, last_checkpoint_at, parent_shard_ids,
                   owner_switches_since_checkpoint
            FROM leases WHERE stream_name = $1 ORDER BY shard_id
            """);
        cmd.Parameters.Add(new() { Value = streamName });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<LeaseStatus>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new LeaseStatus(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<string[]>(6), r.GetInt32(7)));
        return list;
    }

    public async Task<long> CountDeadLettersAsync(string streamName, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM dead_letters WHERE stream_name = $1");
        cmd.Parameters.Add(new() { Value = streamName });
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
