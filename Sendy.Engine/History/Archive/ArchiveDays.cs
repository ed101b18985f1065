using System.Globalization;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sendy.Engine.History.Archive;

/// <summary>A day as the archive knows it: what its verified copy holds, its last failure, a restore.</summary>
public sealed record ArchivedDay(
    DateOnly Day, long? Rows, int? Objects, long? Bytes, DateTimeOffset? VerifiedAt, int Attempts, string? LastError, DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? RestoredAt, long? RestoredRows, DateTimeOffset? KeepUntil, DateOnly ExpiresOn)
{
    public bool Verified => VerifiedAt is not null && Rows is not null;
}

/// <summary>The archive for the admin's history page.</summary>
public sealed record ArchiveOverview(bool Enabled, string? Bucket, string Prefix, TimeSpan Retention, TimeSpan RestoredFor, IReadOnlyList<ArchivedDay> Days,
    int Failing);

/// <summary>The admin's side of the archive: its days, and asking for one back (a port: the page's tests give their own).</summary>
public interface IArchiveDays
{
    /// <summary>The latest <paramref name="limit"/> days the archive knows, newest first, and how many are failing now.</summary>
    Task<ArchiveOverview> GetAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Queues the restore of <paramref name="day"/> (a job: a day can be millions of fixes).
    /// <see cref="ArchiveDayNotFoundException"/> when its archive is not verified; <see cref="InvalidOperationException"/> when the archive is off.
    /// </summary>
    Task RequestRestoreAsync(DateOnly day, CancellationToken cancellationToken);
}

/// <summary>The archive's days from <c>position_archive_days</c>; restores as Hangfire jobs.</summary>
public sealed class ArchiveDays(NpgsqlDataSource dataSource, IOptions<ArchiveOptions> options, IServiceProvider services) : IArchiveDays
{
    private const string Days = """
        SELECT day, rows, objects, bytes, verified_at, attempts, last_error, last_error_at, next_attempt_at, restored_at, restored_rows, keep_until
        FROM position_archive_days ORDER BY day DESC LIMIT $1
        """;

    public async Task<ArchiveOverview> GetAsync(int limit, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var keepDays = (int)Math.Ceiling(o.Retention.TotalDays);
        var days = new List<ArchivedDay>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(Days, connection) { Parameters = { new() { Value = limit } } })
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
            {
                var day = reader.GetFieldValue<DateOnly>(0);
                days.Add(new ArchivedDay(day, Nullable<long>(reader, 1), Nullable<int>(reader, 2), Nullable<long>(reader, 3), Nullable<DateTimeOffset>(reader, 4),
                    reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6), Nullable<DateTimeOffset>(reader, 7), Nullable<DateTimeOffset>(reader, 8),
                    Nullable<DateTimeOffset>(reader, 9), Nullable<long>(reader, 10), Nullable<DateTimeOffset>(reader, 11), day.AddDays(keepDays)));
            }
        int failing;
        await using (var count = new NpgsqlCommand("SELECT count(*)::int FROM position_archive_days WHERE last_error IS NOT NULL AND verified_at IS NULL", connection))
            failing = (int)(await count.ExecuteScalarAsync(cancellationToken))!;
        return new ArchiveOverview(o.Enabled, o.Bucket, o.Prefix, o.Retention, o.RestoredFor, days, failing);
    }

    public async Task RequestRestoreAsync(DateOnly day, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) throw new InvalidOperationException("The archive is off (Sendy:Archive:Enabled).");
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM position_archive_days WHERE day = $1 AND verified_at IS NOT NULL)");
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = day });
        if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken))!) throw new ArchiveDayNotFoundException(day);
        var day8601 = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        services.GetRequiredService<IBackgroundJobClient>().Enqueue<ArchiveRestoreJob>(job => job.RunAsync(day8601, CancellationToken.None));
    }

    private static T? Nullable<T>(NpgsqlDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}

/// <summary>A restore of one day, as a Hangfire job (retried on failure: an S3 outage passes).</summary>
public sealed class ArchiveRestoreJob(PositionArchiver archiver)
{
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [30, 120, 600, 1800, 3600], OnAttemptsExceeded = AttemptsExceededAction.Fail,
        ExceptOn = [typeof(ArchiveDayNotFoundException), typeof(InvalidDataException)])]
    [JobDisplayName("Archive: restore {0}")]
    public Task RunAsync(string day, CancellationToken cancellationToken) =>
        archiver.RestoreDayAsync(DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture), cancellationToken);
}
