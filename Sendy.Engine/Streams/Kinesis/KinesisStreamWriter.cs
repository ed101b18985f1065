using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>
/// PutRecords: splits input into calls of at most 500 records / 5 MiB, retries only the refused
/// entries (or a whole call that was throttled or failed in transit) with jittered exponential
/// backoff, and returns one result per input record in input order.
/// </summary>
public sealed class KinesisStreamWriter : IStreamWriter
{
    public const int MaxRecordsPerCall = 500;
    public const int MaxBytesPerCall = 5 * 1024 * 1024;
    public const int MaxBytesPerRecord = 1024 * 1024;
    public const int MaxPartitionKeyLength = 256;

    private readonly KinesisClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KinesisStreamWriter(KinesisClient client, TimeProvider time, ILogger<KinesisStreamWriter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _time = time;
        _logger = logger ?? NullLogger<KinesisStreamWriter>.Instance;
    }

    public async Task<PutResult> PutAsync(IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        int[] sizes = Validate(records);
        var results = new PutRecordResult?[records.Count];
        List<int> pending = Enumerable.Range(0, records.Count).ToList();
        KinesisOptions options = _client.Options;
        int attempt = 0;
        var backoff = new Backoff(options.PutRetryBaseDelay, options.PutRetryMaxDelay);

        while (pending.Count > 0)
        {
            var refused = new List<int>();
            string? lastErrorCode = null;
            StreamException? lastError = null;
            foreach (ArraySegment<int> call in Calls(pending, sizes))
            {
                try
                {
                    lastErrorCode = await PutCallAsync(records, call, results, refused, cancellationToken).ConfigureAwait(false) ?? lastErrorCode;
                }
                catch (StreamException e) when (e is ProvisionedThroughputExceededException or StreamUnavailableException)
                {
                    refused.AddRange(call);
                    lastError = e;
                    lastErrorCode = e.ErrorCode;
                }
            }

            if (refused.Count == 0)
            {
                break;
            }

            attempt++;
            if (attempt > options.PutRetryAttempts)
            {
                KinesisLog.PutRecordsGaveUp(_logger, refused.Count, records.Count, attempt, lastErrorCode);
                throw new StreamUnavailableException(
                    $"PutRecords: {refused.Count} of {records.Count} records still refused after {attempt} attempts (last error: {lastErrorCode}).",
                    lastError);
            }

            TimeSpan delay = backoff.Next();
            KinesisLog.PutRecordsRetrying(_logger, refused.Count, records.Count, lastErrorCode, attempt, options.PutRetryAttempts, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            refused.Sort(); // calls follow input order; keep retries in it too
            pending = refused;
        }

        return new PutResult(results!);
    }

    /// <summary>Consecutive groups of pending indices that fit one PutRecords call.</summary>
    internal static IEnumerable<ArraySegment<int>> Calls(List<int> pending, int[] sizes)
    {
        int[] indices = pending.ToArray();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            int size = sizes[indices[i]];
            if (i > start && (i - start == MaxRecordsPerCall || bytes + size > MaxBytesPerCall))
            {
                yield return new ArraySegment<int>(indices, start, i - start);
                start = i;
                bytes = 0;
            }

            bytes += size;
        }

        if (indices.Length > start)
        {
            yield return new ArraySegment<int>(indices, start, indices.Length - start);
        }
    }

    /// <summary>Sends one call; fills accepted results, adds refused indices. Returns a refused entry's error code.</summary>
    private async Task<string?> PutCallAsync(
        IReadOnlyList<OutgoingRecord> records, ArraySegment<int> call, PutRecordResult?[] results, List<int> refused, CancellationToken cancellationToken)
    {
        long dataBytes = 0;
        foreach (int index in call)
        {
            dataBytes += records[index].Data.Length + records[index].PartitionKey.Length + 48;
        }

        var state = new CallState(_client.StreamName, records, call, results, refused);
        return await _client.SendAsync(
            "PutRecords",
            state,
            static (writer, s) =>
            {
                writer.WriteString("StreamName"u8, s.StreamName);
                writer.WriteStartArray("Records"u8);
                foreach (int index in s.Call)
                {
                    OutgoingRecord record = s.Records[index];
                    writer.WriteStartObject();
                    writer.WriteBase64String("Data"u8, record.Data.Span);
                    writer.WriteString("PartitionKey"u8, record.PartitionKey);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            },
            static (root, s) => ReadAnswer(root, s),
            cancellationToken,
            bodySizeHint: (int)Math.Min(int.MaxValue, (dataBytes * 4 / 3) + 64)).ConfigureAwait(false);
    }

    private static string? ReadAnswer(JsonElement root, CallState s)
    {
        JsonElement entries = root.GetProperty("Records");
        if (entries.GetArrayLength() != s.Call.Count)
        {
            throw new StreamException(
                $"PutRecords: answer has {entries.GetArrayLength()} entries for {s.Call.Count} records.", "InvalidResponse");
        }

        string? errorCode = null;
        int position = 0;
        foreach (JsonElement entry in entries.EnumerateArray())
        {
            int index = s.Call[position++];
            if (entry.TryGetProperty("ErrorCode"u8, out JsonElement code) && code.ValueKind == JsonValueKind.String)
            {
                errorCode = code.GetString();
                s.Refused.Add(index);
                continue;
            }

            s.Results[index] = new PutRecordResult(
                entry.GetProperty("ShardId"u8).GetString()!,
                entry.GetProperty("SequenceNumber"u8).GetString()!);
        }

        return errorCode;
    }

    private static int[] Validate(IReadOnlyList<OutgoingRecord> records)
    {
        var sizes = new int[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            OutgoingRecord record = records[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(records));
            if (string.IsNullOrEmpty(record.PartitionKey) || record.PartitionKey.Length > MaxPartitionKeyLength)
            {
                throw new StreamValidationException(
                    $"Record {i}: partition key must be 1-{MaxPartitionKeyLength} characters.", "InvalidArgumentException");
            }

            // The service counts data plus the UTF-8 partition key against the record and call limits.
            int size = record.Data.Length + Encoding.UTF8.GetByteCount(record.PartitionKey);
            if (size > MaxBytesPerRecord)
            {
                throw new StreamValidationException(
                    $"Record {i}: {size} bytes with its partition key; the limit is {MaxBytesPerRecord}.", "InvalidArgumentException");
            }

            sizes[i] = size;
        }

        return sizes;
    }

    private sealed record CallState(
        string StreamName, IReadOnlyList<OutgoingRecord> Records, ArraySegment<int> Call, PutRecordResult?[] Results, List<int> Refused);
}
