using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Deliveries.Eta;

/// <summary>
/// The server's arrival estimate for every delivery on its way to the drop-off (PickedUp,
/// InTransit), every <see cref="DeliveryOptions.EtaInterval"/>: one query reads each such
/// delivery's truck fixes of the last <see cref="EtaSettings.SpeedWindow"/> (since pickup or the
/// truck's assignment, flagged fixes left out), the same <see cref="EtaEstimator"/> the customer's
/// page runs judges them, and deliveries whose estimate changed kind or moved by
/// <see cref="WriteWhenMovedBy"/> are written (<c>estimated_arrival_at</c>, <c>eta_kind</c>,
/// <c>eta_updated_at</c>; the update also moves <c>updated_at</c>, so API clients listing changes
/// see it). One node at a time does a pass (a transaction-scoped advisory lock); the others skip it.
/// After its pass, the node tells webhook receivers of estimates that moved by 5 minutes (<see cref="EtaAnnouncer"/>).
/// </summary>
public sealed partial class EtaUpdater(NpgsqlDataSource dataSource, EtaAnnouncer announcer, IOptions<DeliveryOptions> options, TimeProvider time,
    ILogger<EtaUpdater> logger)
    : BackgroundService
{
    /// <summary>Smaller moves are not written: an estimate is not more precise than this.</summary>
    public static readonly TimeSpan WriteWhenMovedBy = TimeSpan.FromMinutes(1);

    /// <summary>"Sendy.ETA" as a 64-bit advisory lock key (one pass cluster-wide).</summary>
    public const long LockKey = 0x53_65_6E_64_79_45_54_41;

    private const string Read = """
        SELECT d.id, ST_Y(d.dropoff_location), ST_X(d.dropoff_location), d.eta_kind, d.estimated_arrival_at,
               ST_Y(p.location), ST_X(p.location), p.recorded_at, p.accuracy_meters
        FROM deliveries d
        LEFT JOIN positions p ON p.truck_id = d.truck_id AND p.recorded_at >= $1 AND p.quality_flag IS NULL
             AND p.recorded_at >= GREATEST(d.picked_up_at, d.truck_assigned_at, '-infinity'::timestamptz)
        WHERE d.status IN ('PickedUp', 'InTransit') AND d.dropoff_location IS NOT NULL AND d.truck_id IS NOT NULL
        ORDER BY d.id, p.recorded_at
        """;

    private const string Write = """
        UPDATE deliveries d
        SET eta_kind = u.kind, estimated_arrival_at = COALESCE(u.at, d.estimated_arrival_at), eta_updated_at = $4
        FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(id, kind, at)
        WHERE d.id = u.id AND d.status IN ('PickedUp', 'InTransit')
        """;

    /// <summary>One pass: the number of deliveries whose estimate was written (0 when another node holds the pass).</summary>
    public async Task<int> UpdateOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var locked = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", connection, tx) { Parameters = { new() { Value = LockKey } } })
            if (!(bool)(await locked.ExecuteScalarAsync(cancellationToken))!) return 0;

        var changed = new List<(Guid Id, EtaKind Kind, DateTimeOffset? At)>();
        await using (var read = new NpgsqlCommand(Read, connection, tx))
        {
            read.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = (now - EtaSettings.Default.SpeedWindow).ToUniversalTime() });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            Pending? current = null;
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetGuid(0);
                if (current?.Id != id)
                {
                    if (current?.Judge() is { } judged) changed.Add(judged);
                    current = new Pending(id, reader.GetDouble(1), reader.GetDouble(2),
                        reader.IsDBNull(3) ? null : Enum.Parse<EtaKind>(reader.GetString(3)),
                        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), new EtaEstimator(time));
                }
                if (!reader.IsDBNull(7))
                    current.Estimator.Add(reader.GetDouble(5), reader.GetDouble(6), reader.GetFieldValue<DateTimeOffset>(7),
                        reader.IsDBNull(8) ? null : reader.GetDouble(8));
            }
            if (current?.Judge() is { } last) changed.Add(last);
        }

        if (changed.Count > 0)
        {
            await using var write = new NpgsqlCommand(Write, connection, tx);
            write.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. changed.Select(c => c.Id)] });
            write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. changed.Select(c => c.Kind.ToString())] });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>
            {
                TypedValue = [.. changed.Select(c => c.At?.ToUniversalTime())], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        await announcer.AnnounceAsync(cancellationToken);
        return changed.Count;
    }

    /// <summary>One delivery's fixes as they are read, and what was stored before.</summary>
    private sealed record Pending(Guid Id, double Latitude, double Longitude, EtaKind? StoredKind, DateTimeOffset? StoredAt, EtaEstimator Estimator)
    {
        /// <summary>The new estimate when it is worth writing, else null.</summary>
        public (Guid, EtaKind, DateTimeOffset?)? Judge()
        {
            var estimate = Estimator.Estimate(Latitude, Longitude);
            var moved = estimate.ArrivalAt is { } at && (StoredAt is not { } stored || (at - stored).Duration() >= WriteWhenMovedBy);
            return estimate.Kind != StoredKind || (estimate.Kind != EtaKind.Calculating && moved)
                ? (Id, estimate.Kind, estimate.ArrivalAt)
                : null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EtaInterval, time);
        try
        {
            do
            {
                try
                {
                    var written = await UpdateOnceAsync(stoppingToken);
                    if (written > 0) LogWritten(written);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex); // estimates are only older until the next pass
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote {Count} arrival estimates")]
    private partial void LogWritten(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Estimating arrivals failed; the next pass tries again")]
    private partial void LogFailed(Exception exception);
}
