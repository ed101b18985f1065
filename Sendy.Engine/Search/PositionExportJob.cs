using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Search;

/// <summary>
/// Recurring: ships positions stored since the watermark to OpenSearch in bulk batches, never one
/// job per position. The watermark row is locked for the run (a second run on another node skips)
/// and moved only after the batch is indexed, so a failed run resends the same batch (ids are
/// stable: re-indexing overwrites). A position whose month's index is already past
/// <see cref="OpenSearchOptions.PositionsRetention"/> (a late fix, or a backlog when the export is
/// switched on) is passed over, not shipped: it would only bring back an index that
/// <see cref="PositionIndexRetentionJob"/> deletes. A no-op while OpenSearch is off.
/// </summary>
public sealed partial class PositionExportJob(NpgsqlDataSource dataSource, IBulkIndexer indexer, IOptionsMonitor<OpenSearchOptions> search,
    IOptions<PositionExportOptions> options, TimeProvider time, ILogger<PositionExportJob> logger)
{
    public const string RecurringJobId = "positions-to-opensearch";
    public const string WatermarkName = "positions-opensearch";

    // Two commands: PostgreSQL refuses several statements in one prepared (positional-parameter) command.
    private const string EnsureWatermark = """
        INSERT INTO export_watermarks (name, stored_at, stream_name, shard_id, sequence_number, updated_at)
        VALUES ($1, '-infinity', '', '', '', now()) ON CONFLICT DO NOTHING
        """;

    private const string LockWatermark = """
        SELECT stored_at, stream_name, shard_id, sequence_number FROM export_watermarks WHERE name = $1 FOR UPDATE SKIP LOCKED
        """;

    private const string ReadBatch = """
        SELECT stored_at, stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at,
               ST_Y(location), ST_X(location), speed_mps, heading_degrees, accuracy_meters
        FROM positions
        WHERE (stored_at, stream_name, shard_id, sequence_number) > ($1, $2, $3, $4) AND stored_at >= $1 AND stored_at < $5
        ORDER BY stored_at, stream_name, shard_id, sequence_number
        LIMIT $6
        """;

    private const string MoveWatermark = """
        UPDATE export_watermarks SET stored_at = $2, stream_name = $3, shard_id = $4, sequence_number = $5, updated_at = $6 WHERE name = $1
        """;

    [AutomaticRetry(Attempts = 0)] // the next scheduled run is the retry
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("Ship positions to OpenSearch")]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!search.CurrentValue.Enabled) return 0;
        var shipped = 0;
        var passedOver = 0;
        while (true)
        {
            var (read, sent) = await ShipBatchAsync(cancellationToken);
            shipped += sent;
            passedOver += read - sent;
            if (read < options.Value.PositionExportBatchSize) break;
        }
        if (shipped > 0) LogShipped(logger, shipped);
        if (passedOver > 0) LogPassedOver(logger, passedOver, search.CurrentValue.PositionsRetention.TotalDays);
        return shipped;
    }

    /// <summary>One batch: the positions read after the watermark, and how many of them were shipped.</summary>
    private async Task<(int Read, int Shipped)> ShipBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        object[] mark;
        await using (var ensure = new NpgsqlCommand(EnsureWatermark, connection, tx) { Parameters = { new() { Value = WatermarkName } } })
            await ensure.ExecuteNonQueryAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(LockWatermark, connection, tx) { Parameters = { new() { Value = WatermarkName } } })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return (0, 0); // another node is exporting
            mark = [reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)];
        }

        var docs = new List<BulkDocument>();
        object[]? last = null;
        var read = 0;
        var opts = search.CurrentValue;
        var now = time.GetUtcNow();
        await using (var cmd = new NpgsqlCommand(ReadBatch, connection, tx))
        {
            foreach (var v in mark) cmd.Parameters.Add(new() { Value = v });
            cmd.Parameters.Add(new() { Value = now - options.Value.PositionExportLag });
            cmd.Parameters.Add(new() { Value = options.Value.PositionExportBatchSize });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                last = [reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)];
                read++;
                var recordedAt = reader.GetFieldValue<DateTimeOffset>(5);
                if (opts.PositionsMonthExpired(DateOnly.FromDateTime(recordedAt.UtcDateTime), now)) continue;
                var doc = new PositionDocument(reader.GetString(4), new GeoPoint(reader.GetDouble(7), reader.GetDouble(8)), recordedAt,
                    reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(9) ? null : reader.GetDouble(9) * 3.6,
                    reader.IsDBNull(10) ? null : reader.GetDouble(10), reader.IsDBNull(11) ? null : reader.GetDouble(11));
                // The document id is the storage key (truck + device time), so a re-export, or a recreated
                // stream that reuses sequence numbers, overwrites the same document instead of colliding.
                var id = string.Create(CultureInfo.InvariantCulture, $"{doc.TruckId}:{recordedAt.UtcDateTime:yyyyMMdd'T'HHmmss.ffffff'Z'}");
                docs.Add(BulkDocument.Create(opts.PositionsIndexFor(recordedAt), id, doc));
            }
        }
        if (last is null) return (0, 0);

        if (docs.Count > 0)
        {
            var result = await indexer.IndexAsync(docs, cancellationToken);
            if (result.StillRetryable.Count > 0)
                throw new SearchTransientException($"{result.StillRetryable.Count} positions still refused; the watermark stays for the next run");
            foreach (var rejected in result.Rejected) LogRejected(logger, rejected.Document.Id, rejected.Reason);
        }

        await using (var cmd = new NpgsqlCommand(MoveWatermark, connection, tx))
        {
            cmd.Parameters.Add(new() { Value = WatermarkName });
            foreach (var v in last) cmd.Parameters.Add(new() { Value = v });
            cmd.Parameters.Add(new() { Value = time.GetUtcNow() });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return (read, docs.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shipped {Count} positions to OpenSearch")]
    private static partial void LogShipped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Passed over {Count} positions whose month is older than the {RetentionDays} days of Sendy:OpenSearch:PositionsRetention")]
    private static partial void LogPassedOver(ILogger logger, int count, double retentionDays);

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenSearch refused position {Id} for good ({Reason}); skipped")]
    private static partial void LogRejected(ILogger logger, string id, string? reason);
}
