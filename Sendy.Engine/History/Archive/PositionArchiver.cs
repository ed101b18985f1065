using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Sendy.Engine.Consumers;
using Sendy.Engine.Resilience;

namespace Sendy.Engine.History.Archive;

/// <summary>
/// Writes a day of positions to the archive and brings one back. A day is read from its partition
/// in one snapshot (binary COPY, in the table's order, which is about arrival order: no sort; its
/// bytes parsed by <see cref="PositionCopyReader"/>), cut into Parquet objects of about
/// <see cref="ArchiveOptions.RowsPerObject"/> rows (whole row groups) under Hive-style keys
/// (<c>{prefix}/date=YYYY-MM-DD/part-NNNN.parquet</c>), every object is read back and checked
/// (SHA-256 and row count), and only then is the day's manifest written, objects left by an earlier
/// attempt removed, and the day marked verified in <c>position_archive_days</c>. Anything that
/// stops it before that (S3 down, the process killed) leaves the day unverified: retention keeps it
/// and the next pass writes it again from the start. A failure is kept on the day (shown to admins)
/// with the time of the next try (the common <see cref="Backoff"/>, 1 min doubling to 1 h).
/// </summary>
public sealed partial class PositionArchiver(
    NpgsqlDataSource dataSource,
    IArchiveStore store,
    PositionPartitions partitions,
    IOptions<ArchiveOptions> options,
    TimeProvider time,
    ILogger<PositionArchiver> logger)
{
    public static readonly TimeSpan RetryFirst = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan RetryMax = TimeSpan.FromHours(1);

    // The partition's own columns, no expression: COPY reads the table directly (no query plan, no
    // ST_X/ST_Y per row, 20 % of the server's time on a bench day) and the point comes as its EWKB.
    private const string Columns = """
        truck_id, recorded_at, received_at, stored_at, location, speed_mps, heading_degrees,
        accuracy_meters, quality_flag, stream_name, shard_id, sequence_number
        """;

    private const string Due = """
        SELECT d FROM unnest($1::date[]) AS d
        LEFT JOIN position_archive_days a ON a.day = d
        WHERE a.verified_at IS NULL AND (a.next_attempt_at IS NULL OR a.next_attempt_at <= $2)
        ORDER BY d
        """;

    private const string MarkVerified = """
        INSERT INTO position_archive_days (day, rows, objects, bytes, manifest_key, verified_at, attempts)
        VALUES ($1, $2, $3, $4, $5, $6, 0)
        ON CONFLICT (day) DO UPDATE SET rows = excluded.rows, objects = excluded.objects, bytes = excluded.bytes,
            manifest_key = excluded.manifest_key, verified_at = excluded.verified_at, attempts = 0,
            last_error = NULL, last_error_at = NULL, next_attempt_at = NULL
        """;

    private const string Hold = """
        INSERT INTO position_archive_days (day, restored_at, keep_until) VALUES ($1, $2, $3)
        ON CONFLICT (day) DO UPDATE SET restored_at = excluded.restored_at, keep_until = excluded.keep_until
        """;

    private const string CopyIn = """
        COPY restoring (stream_name, shard_id, sequence_number, truck_id, recorded_at, received_at, stored_at,
            location, speed_mps, heading_degrees, accuracy_meters, quality_flag) FROM STDIN (FORMAT BINARY)
        """;

    private const string InsertRestored = """
        INSERT INTO positions SELECT * FROM restoring ON CONFLICT (truck_id, recorded_at) DO NOTHING
        """;

    /// <summary>What archiving a day did.</summary>
    public sealed record DayArchived(DateOnly Day, long Rows, int Objects, long Bytes, string ManifestKey);

    private ArchiveOptions Options => options.Value;

    public static string DayPrefix(string prefix, DateOnly day) =>
        prefix + "/date=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "/";

    public static string ObjectKey(string prefix, DateOnly day, int part) =>
        DayPrefix(prefix, day) + "part-" + part.ToString("0000", CultureInfo.InvariantCulture) + ".parquet";

    public static string ManifestKey(string prefix, DateOnly day) => DayPrefix(prefix, day) + "_manifest.json";

    /// <summary>The bucket and its lifecycle rule (<see cref="ArchiveOptions.Retention"/>).</summary>
    public Task PrepareAsync(CancellationToken cancellationToken) =>
        store.PrepareAsync(Options.Prefix, (int)Math.Ceiling(Options.Retention.TotalDays), cancellationToken);

    /// <summary>Days with a partition, over for at least <see cref="ArchiveOptions.After"/>, not verified, and not waiting for a retry.</summary>
    public async Task<IReadOnlyList<DateOnly>> DueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var held = (await partitions.RefreshAsync(cancellationToken))
            .Where(d => PositionPartitions.StartOf(d.AddDays(1)) + Options.After <= now).ToArray();
        if (held.Length == 0) return [];
        await using var cmd = dataSource.CreateCommand(Due);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = held });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
        var due = new List<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) due.Add(reader.GetFieldValue<DateOnly>(0));
        return due;
    }

    /// <summary>Archives every due day, oldest first; stops at the first failure of the store (it is likely down). Returns the days archived.</summary>
    public async Task<IReadOnlyList<DayArchived>> ArchiveDueAsync(CancellationToken cancellationToken)
    {
        var done = new List<DayArchived>();
        foreach (var day in await DueAsync(cancellationToken))
        {
            try
            {
                done.Add(await ArchiveDayAsync(day, cancellationToken));
            }
            catch (Exception ex) when (ex is ArchiveStoreException or InvalidDataException or PostgresException)
            {
                await RecordFailureAsync(day, ex.Message, CancellationToken.None);
                if (ex is ArchiveStoreException) break;
            }
        }
        return done;
    }

    /// <summary>Writes <paramref name="day"/> to the archive, checks every object, then writes its manifest and marks it verified.</summary>
    public async Task<DayArchived> ArchiveDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var o = Options;
        var started = time.GetTimestamp();
        var objects = new List<ArchiveManifestObject>();
        // Two row-group buffers: while one is encoded into the current object, the COPY fills the
        // other; a finished object uploads and is read back and checked while the next one is read
        // and encoded.
        var filling = new FixColumns(o.RowsPerRowGroup);
        var spare = new FixColumns(o.RowsPerRowGroup);
        PositionParquet.ObjectBuilder? current = null;
        var encoding = Task.CompletedTask;
        Task<ArchiveManifestObject>? uploading = null;
        long rows = 0;

        async Task HandOverAsync()
        {
            await encoding; // the spare buffer is free again and the object holds every earlier group
            current ??= await PositionParquet.ObjectBuilder.CreateAsync(cancellationToken);
            encoding = current.AddGroupAsync(filling, cancellationToken);
            (filling, spare) = (spare, filling);
            filling.Count = 0;
        }

        async Task CloseObjectAsync()
        {
            await encoding;
            if (uploading is not null) objects.Add(await uploading);
            uploading = UploadAsync(day, objects.Count, current!, cancellationToken);
            current = null;
        }

        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var copy = await connection.BeginRawBinaryCopyAsync(
            $"COPY {PositionPartitions.NameOf(day)} ({Columns}) TO STDOUT (FORMAT BINARY)", cancellationToken))
        {
            var reader = new PositionCopyReader(copy);
            while (reader.ReadRow(filling))
            {
                rows++;
                if (filling.Count < filling.Capacity) continue;
                await HandOverAsync();
                if (current!.Rows >= o.RowsPerObject) await CloseObjectAsync();
            }
        }
        if (filling.Count > 0) await HandOverAsync();
        if (current is not null) await CloseObjectAsync();
        if (uploading is not null) objects.Add(await uploading);

        var manifest = new ArchiveManifest(ArchiveManifest.CurrentVersion, day, rows, time.GetUtcNow(), objects);
        var manifestKey = ManifestKey(o.Prefix, day);
        var json = manifest.ToJson();
        await store.PutAsync(manifestKey, json, "application/json", cancellationToken);
        var back = await store.GetAsync(manifestKey, cancellationToken);
        if (back is null || !back.AsSpan().SequenceEqual(json))
            throw new ArchiveStoreException($"The manifest {manifestKey} read back differs from what was written.");

        var keep = objects.Select(x => x.Key).Append(manifestKey).ToHashSet(StringComparer.Ordinal);
        var stray = (await store.ListAsync(DayPrefix(o.Prefix, day), cancellationToken)).Select(x => x.Key).Where(k => !keep.Contains(k)).ToArray();
        if (stray.Length > 0) await store.DeleteAsync(stray, cancellationToken);

        var bytes = objects.Sum(x => x.Bytes);
        await using (var mark = dataSource.CreateCommand(MarkVerified))
        {
            mark.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = rows });
            mark.Parameters.Add(new NpgsqlParameter<int> { TypedValue = objects.Count });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bytes });
            mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifestKey });
            mark.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow().ToUniversalTime() });
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        LogArchived(day, rows, objects.Count, bytes, stray.Length, time.GetElapsedTime(started).TotalSeconds);
        return new DayArchived(day, rows, objects.Count, bytes, manifestKey);
    }

    /// <summary>
    /// Brings <paramref name="day"/> back from the archive into PostgreSQL (its partition made when
    /// missing), every object checked against the manifest first; fixes already there are kept as
    /// they are. The day is then held against retention for <see cref="ArchiveOptions.RestoredFor"/>.
    /// Returns how many fixes were added.
    /// </summary>
    public async Task<long> RestoreDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var o = Options;
        var manifestKey = ManifestKey(o.Prefix, day);
        var json = await store.GetAsync(manifestKey, cancellationToken)
            ?? throw new ArchiveDayNotFoundException(day);
        var manifest = ArchiveManifest.Parse(json);
        if (manifest.Day != day) throw new InvalidDataException($"{manifestKey} describes {manifest.Day:yyyy-MM-dd}, not {day:yyyy-MM-dd}.");

        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The hold comes first: a retention pass that starts meanwhile must not drop what comes back.
        await using (var hold = new NpgsqlCommand(Hold, connection))
        {
            hold.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            hold.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
            hold.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = (now + o.RestoredFor).ToUniversalTime() });
            await hold.ExecuteNonQueryAsync(cancellationToken);
        }
        if (!(await partitions.RefreshAsync(cancellationToken)).Contains(day))
        {
            try
            {
                await PartitionMaintainer.CreateAsync(connection, day, cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateTable)
            {
                // made meanwhile by the partition job
            }
            await partitions.RefreshAsync(cancellationToken);
        }

        long added = 0;
        foreach (var obj in manifest.Objects)
        {
            var content = await GetCheckedAsync(obj, cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var temp = new NpgsqlCommand("CREATE TEMP TABLE restoring (LIKE positions INCLUDING DEFAULTS) ON COMMIT DROP", connection, tx))
                await temp.ExecuteNonQueryAsync(cancellationToken);
            await using (var import = await connection.BeginBinaryImportAsync(CopyIn, cancellationToken))
            {
                await foreach (var group in PositionParquet.ReadAsync(content, cancellationToken))
                    WriteRows(import, group, cancellationToken);
                await import.CompleteAsync(cancellationToken);
            }
            await using (var insert = new NpgsqlCommand(InsertRestored, connection, tx))
                added += await insert.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        await using (var done = new NpgsqlCommand("UPDATE position_archive_days SET restored_rows = $2 WHERE day = $1", connection))
        {
            done.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            done.Parameters.Add(new NpgsqlParameter<long> { TypedValue = added });
            await done.ExecuteNonQueryAsync(cancellationToken);
        }
        LogRestored(day, added, manifest.Rows);
        return added;
    }

    /// <summary>Keeps a failure on the day, with the time of its next try.</summary>
    public async Task RecordFailureAsync(DateOnly day, string error, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            int attempts;
            await using (var read = new NpgsqlCommand("SELECT attempts FROM position_archive_days WHERE day = $1", connection))
            {
                read.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
                attempts = await read.ExecuteScalarAsync(cancellationToken) is int n ? n : 0;
            }
            var now = time.GetUtcNow();
            var next = now + Backoff.Delay(RetryFirst, RetryMax, attempts);
            await using var write = new NpgsqlCommand("""
                INSERT INTO position_archive_days (day, attempts, last_error, last_error_at, next_attempt_at) VALUES ($1, 1, $2, $3, $4)
                ON CONFLICT (day) DO UPDATE SET attempts = position_archive_days.attempts + 1, last_error = excluded.last_error,
                    last_error_at = excluded.last_error_at, next_attempt_at = excluded.next_attempt_at
                """, connection);
            write.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error.Length > 2000 ? error[..2000] : error });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = next.ToUniversalTime() });
            await write.ExecuteNonQueryAsync(cancellationToken);
            LogFailed(day, attempts + 1, next, error);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            LogFailureNotRecorded(day, error, ex);
        }
    }

    /// <summary>Writes one object and reads it back: its SHA-256 and row count checked against what was written.</summary>
    private async Task<ArchiveManifestObject> UploadAsync(DateOnly day, int part, PositionParquet.ObjectBuilder builder, CancellationToken cancellationToken)
    {
        var rows = builder.Rows;
        var content = await builder.FinishAsync();
        var key = ObjectKey(Options.Prefix, day, part);
        await store.PutAsync(key, content, PositionParquet.ContentType, cancellationToken);
        var written = new ArchiveManifestObject(key, rows, content.Length, PositionParquet.Sha256Hex(content.Span));
        await GetCheckedAsync(written, cancellationToken); // as S3 holds it, before any manifest names it
        return written;
    }

    /// <summary>The object as stored, read back: its SHA-256 and row count as the manifest says, or an error naming the difference.</summary>
    private async Task<byte[]> GetCheckedAsync(ArchiveManifestObject obj, CancellationToken cancellationToken)
    {
        var content = await store.GetAsync(obj.Key, cancellationToken)
            ?? throw new ArchiveStoreException($"{obj.Key} is missing from the archive.");
        var sha = PositionParquet.Sha256Hex(content);
        if (!string.Equals(sha, obj.Sha256, StringComparison.Ordinal))
            throw new InvalidDataException($"{obj.Key} read back has SHA-256 {sha}, the manifest says {obj.Sha256}.");
        var rows = await PositionParquet.CountAsync(content, cancellationToken);
        if (rows != obj.Rows) throw new InvalidDataException($"{obj.Key} holds {rows} rows, the manifest says {obj.Rows}.");
        return content;
    }

    private static void WriteRows(NpgsqlBinaryImporter import, FixColumns rows, CancellationToken cancellationToken)
    {
        // The location goes as its EWKB (point, SRID 4326), as the batch writer does.
        var point = PositionRows.NewEwkbPoint();
        for (var i = 0; i < rows.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PositionRows.SetEwkbPoint(point, rows.Longitude[i], rows.Latitude[i]);
            import.StartRow();
            import.Write(rows.StreamName[i], NpgsqlDbType.Text);
            import.Write(rows.ShardId[i], NpgsqlDbType.Text);
            import.Write(rows.SequenceNumber[i], NpgsqlDbType.Text);
            import.Write(rows.TruckId[i], NpgsqlDbType.Text);
            import.Write(DateTime.SpecifyKind(rows.RecordedAt[i], DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            import.Write(DateTime.SpecifyKind(rows.ReceivedAt[i], DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            import.Write(DateTime.SpecifyKind(rows.StoredAt[i], DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            import.Write(point, NpgsqlDbType.Bytea);
            PositionRows.WriteNullable(import, rows.SpeedMps[i]);
            PositionRows.WriteNullable(import, rows.HeadingDegrees[i]);
            PositionRows.WriteNullable(import, rows.AccuracyMeters[i]);
            if (rows.QualityFlag[i] is { } flag) import.Write(flag, NpgsqlDbType.Text);
            else import.WriteNull();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archived {Day:yyyy-MM-dd}: {Rows} fixes in {Objects} objects ({Bytes} bytes), verified; {Stray} stray objects removed; {Seconds:F1} s")]
    private partial void LogArchived(DateOnly day, long rows, int objects, long bytes, int stray, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Day:yyyy-MM-dd} from the archive: {Added} of its {Rows} fixes added")]
    private partial void LogRestored(DateOnly day, long added, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archiving {Day:yyyy-MM-dd} failed (attempt {Attempt}); next try at {Next:O}: {Error}")]
    private partial void LogFailed(DateOnly day, int attempt, DateTimeOffset next, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Archiving {Day:yyyy-MM-dd} failed ({Error}) and the failure could not be recorded")]
    private partial void LogFailureNotRecorded(DateOnly day, string error, Exception exception);
}

/// <summary>The archive holds no manifest for the day asked for.</summary>
public sealed class ArchiveDayNotFoundException(DateOnly day)
    : Exception($"The archive holds no {day:yyyy-MM-dd} (no manifest).")
{
    public DateOnly Day { get; } = day;
}
