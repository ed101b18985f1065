using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sendy.Engine.Nodes;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Tracking;

/// <summary>
/// Live fan-out across nodes through PostgreSQL LISTEN/NOTIFY. The batch writer calls
/// <see cref="NotifyAsync"/> inside the batch transaction, so peers hear of positions only once
/// they are committed. Every node listens and republishes what other nodes stored to its own
/// in-process fan-out (its own notifications are skipped: it published those directly).
/// Notifications sent while the listening connection was down are lost (PostgreSQL keeps none
/// for an absent listener), so after every reconnect the relay republishes each truck's latest
/// stored position: a view never stays on where a truck was before the gap. Subscriptions drop
/// what they already showed.
/// </summary>
public sealed partial class LiveRelay(NpgsqlDataSource dataSource, ILivePositionPublisher local, NodeId node,
    TimeProvider time, ILogger<LiveRelay> logger) : BackgroundService
{
    public const string Channel = "sendy_live";

    /// <summary>PostgreSQL's limit is 8000 bytes per payload; stay under it with room to spare.</summary>
    internal const int MaxPayloadBytes = 7_800;

    public NodeId Node => node;

    /// <summary>Queues notifications with the newest position per truck of the batch, in the caller's transaction (if any).</summary>
    public static async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, NodeId origin,
        IReadOnlyList<TruckPosition> positions, CancellationToken cancellationToken)
    {
        if (positions.Count == 0) return;
        var latest = new Dictionary<string, TruckPosition>(StringComparer.Ordinal);
        foreach (var p in positions)
            if (!latest.TryGetValue(p.TruckId, out var seen) || p.RecordedAt > seen.RecordedAt)
                latest[p.TruckId] = p;

        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var payload in Payloads(origin.Value, latest.Values))
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)") { Parameters = { new() { Value = Channel }, new() { Value = payload } } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Compact JSON: {"o":node,"p":[[truck,lat,lon,recordedMs,receivedMs,speed,heading,accuracy],…]}, split under the size limit.</summary>
    internal static IEnumerable<string> Payloads(string originNodeId, IEnumerable<TruckPosition> positions)
    {
        var buffer = new ArrayBufferWriter<byte>(MaxPayloadBytes + 512);
        var writer = new Utf8JsonWriter(buffer);
        var count = 0;
        Begin();
        foreach (var p in positions)
        {
            var before = writer.BytesCommitted + writer.BytesPending;
            WriteEntry(p);
            if (writer.BytesCommitted + writer.BytesPending > MaxPayloadBytes - 4 && count > 0)
            {
                // Too big with this entry: emit what fits, start the next payload with it.
                writer.Flush();
                var text = Encoding.UTF8.GetString(buffer.WrittenSpan[..(int)before]) + "]}";
                yield return text;
                buffer.Clear();
                writer.Reset(buffer);
                count = 0;
                Begin();
                WriteEntry(p);
            }
            count++;
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        if (count > 0) yield return Encoding.UTF8.GetString(buffer.WrittenSpan);

        void Begin()
        {
            writer.WriteStartObject();
            writer.WriteString("o", originNodeId);
            writer.WriteStartArray("p");
        }

        void WriteEntry(TruckPosition p)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(p.TruckId);
            writer.WriteNumberValue(p.Latitude);
            writer.WriteNumberValue(p.Longitude);
            writer.WriteNumberValue(p.RecordedAt.ToUnixTimeMilliseconds());
            writer.WriteNumberValue(p.ReceivedAt.ToUnixTimeMilliseconds());
            WriteNullable(p.SpeedMps);
            WriteNullable(p.HeadingDegrees);
            WriteNullable(p.AccuracyMeters);
            writer.WriteEndArray();
        }

        void WriteNullable(double? v)
        {
            if (v is { } x) writer.WriteNumberValue(x);
            else writer.WriteNullValue();
        }
    }

    /// <summary>Decodes a payload; returns its origin and positions, or null when it is not ours to read.</summary>
    internal static (string Origin, List<TruckPosition> Positions)? Parse(string payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var origin = doc.RootElement.GetProperty("o").GetString() ?? "";
            var list = new List<TruckPosition>();
            foreach (var e in doc.RootElement.GetProperty("p").EnumerateArray())
            {
                list.Add(new TruckPosition(e[0].GetString()!, e[1].GetDouble(), e[2].GetDouble(),
                    DateTimeOffset.FromUnixTimeMilliseconds(e[3].GetInt64()), DateTimeOffset.FromUnixTimeMilliseconds(e[4].GetInt64()),
                    Nullable(e[5]), Nullable(e[6]), Nullable(e[7])));
            }
            return (origin, list);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }

        static double? Nullable(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnect = false;
        try
        {
            // Database gone: peers' positions stop arriving live until it is back; the listener never gives up.
            await PostgresListener.ListenAsync(dataSource, Channel, OnPayload,
                (delayMs, ex) => LogListenFailed(logger, delayMs, ex), time, stoppingToken, async cancellationToken =>
                {
                    LogListening(logger, node.Value);
                    if (reconnect) await ResyncAsync(cancellationToken);
                    reconnect = true;
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Republishes every truck's latest stored position (one row per truck, read after LISTEN is back in place).</summary>
    internal async Task<int> ResyncAsync(CancellationToken cancellationToken)
    {
        var positions = new List<TruckPosition>();
        await using (var command = dataSource.CreateCommand("""
            SELECT truck_id, ST_Y(location), ST_X(location), recorded_at, received_at, speed_mps, heading_degrees, accuracy_meters
            FROM latest_positions
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                positions.Add(new TruckPosition(reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6),
                    reader.IsDBNull(7) ? null : reader.GetDouble(7)));
            }
        }
        if (positions.Count > 0) local.Publish(positions);
        LogResynced(logger, positions.Count);
        return positions.Count;
    }

    private void OnPayload(string payload)
    {
        var parsed = Parse(payload);
        if (parsed is not { } message)
        {
            LogBadPayload(logger);
            return;
        }
        if (message.Origin == node.Value) return;
        local.Publish(message.Positions);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live relay listening on PostgreSQL channel sendy_live as node {NodeId}")]
    private static partial void LogListening(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live relay lost its PostgreSQL connection; reconnecting in {DelayMs:F0} ms")]
    private static partial void LogListenFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live relay reconnected and republished the latest position of {Trucks} trucks")]
    private static partial void LogResynced(ILogger logger, int trucks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live relay ignored a payload it could not read")]
    private static partial void LogBadPayload(ILogger logger);
}
