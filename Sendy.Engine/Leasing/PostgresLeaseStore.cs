using Npgsql;

namespace Sendy.Engine.Leasing;

public sealed class PostgresLeaseStore(NpgsqlDataSource dataSource) : ILeaseStore
{
    private const string Columns =
        "stream_name, shard_id, owner, counter, last_renewed_at, checkpoint, parent_shard_ids, owner_switches_since_checkpoint";

    public async Task<IReadOnlyList<Lease>> ListAsync(string streamName, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM leases WHERE stream_name = $1 ORDER BY shard_id");
        cmd.Parameters.Add(new() { Value = streamName });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var leases = new List<Lease>();
        while (await reader.ReadAsync(cancellationToken))
            leases.Add(Read(reader));
        return leases;
    }

    public async Task<bool> CreateIfMissingAsync(Lease lease, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            $"INSERT INTO leases ({Columns}) VALUES ($1, $2, NULL, 0, NULL, $3, $4, 0) ON CONFLICT DO NOTHING");
        cmd.Parameters.Add(new() { Value = lease.StreamName });
        cmd.Parameters.Add(new() { Value = lease.ShardId });
        cmd.Parameters.Add(new() { Value = lease.Checkpoint });
        cmd.Parameters.Add(new() { Value = lease.ParentShardIds.ToArray() });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<Lease> TakeAsync(Lease seen, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateAsync(seen, "take",
            "owner = $3, counter = counter + 1, last_renewed_at = $4, " +
            "owner_switches_since_checkpoint = owner_switches_since_checkpoint + CASE WHEN owner IS DISTINCT FROM $3 THEN 1 ELSE 0 END",
            [owner, now], cancellationToken);

    public Task<Lease> RenewAsync(Lease held, DateTimeOffset now, CancellationToken cancellationToken) =>
        UpdateAsync(held, "renew", "counter = counter + 1, last_renewed_at = $3", [now], cancellationToken, requireOwner: true);

    public async Task<Lease> CheckpointAsync(Lease held, string checkpoint, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await CheckpointAsync(connection, null, held, checkpoint, cancellationToken);
    }

    /// <summary>The checkpoint write inside a caller's transaction, so the checkpoint commits with the work it covers.</summary>
    internal static Task<Lease> CheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Lease held,
        string checkpoint, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, held, "checkpoint",
            "counter = counter + 1, checkpoint = $3, owner_switches_since_checkpoint = 0, last_checkpoint_at = now()", [checkpoint], requireOwner: true,
            cancellationToken);

    public async Task ReleaseAsync(Lease held, CancellationToken cancellationToken) =>
        await UpdateAsync(held, "release", "owner = NULL, counter = counter + 1, last_renewed_at = NULL", [], cancellationToken, requireOwner: true);

    private async Task<Lease> UpdateAsync(Lease seen, string operation, string set, object[] values,
        CancellationToken cancellationToken, bool requireOwner = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExecuteAsync(connection, null, seen, operation, set, values, requireOwner, cancellationToken);
    }

    /// <summary>
    /// The only write path: <c>UPDATE … WHERE counter = seen</c> (and owner = held owner for an
    /// owner's own writes); zero rows means someone else moved it.
    /// </summary>
    private static async Task<Lease> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Lease seen,
        string operation, string set, object[] values, bool requireOwner, CancellationToken cancellationToken)
    {
        var ownerClause = requireOwner ? $" AND owner = ${values.Length + 3}" : "";
        await using var cmd = new NpgsqlCommand(
            $"UPDATE leases SET {set} WHERE stream_name = $1 AND shard_id = $2 AND counter = ${values.Length + 3 + (requireOwner ? 1 : 0)}{ownerClause} RETURNING {Columns}",
            connection, transaction);
        cmd.Parameters.Add(new() { Value = seen.StreamName });
        cmd.Parameters.Add(new() { Value = seen.ShardId });
        foreach (var v in values) cmd.Parameters.Add(new() { Value = v });
        if (requireOwner) cmd.Parameters.Add(new() { Value = (object?)seen.Owner ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = seen.Counter });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new LeaseLostException(seen.StreamName, seen.ShardId, operation);
        return Read(reader);
    }

    internal static Lease Read(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2),
        r.GetInt64(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        r.GetString(5),
        r.GetFieldValue<string[]>(6),
        r.GetInt32(7));
}
