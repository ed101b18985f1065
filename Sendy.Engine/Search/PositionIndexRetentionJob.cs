using System.Collections.Concurrent;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Search.OpenSearch;

namespace Sendy.Engine.Search;

/// <summary>
/// Recurring, hourly: deletes the monthly position indices of the OpenSearch export whose whole month
/// is older than <see cref="OpenSearchOptions.PositionsRetention"/>, never earlier (location data is
/// not kept for ever). Only indices named exactly prefix + "yyyy.MM" are touched; any other name the
/// prefix matches is left and logged once per node. A failed delete does not stop the others; the run
/// then fails with every failure in its message, and the next hourly run is the retry (an index
/// already gone is fine). A no-op while OpenSearch is off.
/// </summary>
public sealed partial class PositionIndexRetentionJob(
    ISearchIndexAdmin indices,
    IOptionsMonitor<OpenSearchOptions> search,
    PositionIndexRetentionJob.ForeignIndices foreign,
    TimeProvider time,
    ILogger<PositionIndexRetentionJob> logger)
{
    public const string RecurringJobId = "opensearch-position-retention";

    /// <summary>
    /// Hourly, a few minutes past the hour (months end at midnight UTC): one list call when nothing is
    /// due, and an index outlives its retention by at most an hour.
    /// </summary>
    public const string Cron = "7 * * * *";

    /// <summary>What a run did: indices deleted (or found gone), kept (within retention), and left (not ours by name).</summary>
    public sealed record Outcome(IReadOnlyList<string> Deleted, IReadOnlyList<string> Kept, IReadOnlyList<string> Foreign)
    {
        public static readonly Outcome Off = new([], [], []);
    }

    /// <summary>The foreign names this node has logged already, so each is logged once, not every hour.</summary>
    public sealed class ForeignIndices
    {
        private readonly ConcurrentDictionary<string, bool> _logged = new(StringComparer.Ordinal);

        public bool FirstTime(string index) => _logged.TryAdd(index, true);
    }

    [AutomaticRetry(Attempts = 0)] // the next hourly run is the retry
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("Delete OpenSearch position indices past retention")]
    public async Task<Outcome> RunAsync(CancellationToken cancellationToken)
    {
        var options = search.CurrentValue;
        if (!options.Enabled) return Outcome.Off;

        var now = time.GetUtcNow();
        var deleted = new List<string>();
        var kept = new List<string>();
        var others = new List<string>();
        var failed = new List<SearchException>();
        var names = await indices.ListIndicesAsync(options.PositionsIndexPrefix + "*", cancellationToken);
        foreach (var index in names.Order(StringComparer.Ordinal))
        {
            if (options.PositionsIndexMonth(index) is not { } month)
            {
                others.Add(index);
                if (foreign.FirstTime(index)) LogForeign(index, options.PositionsIndexPrefix);
                continue;
            }
            if (!options.PositionsMonthExpired(month, now))
            {
                kept.Add(index);
                continue;
            }
            try
            {
                if (await indices.DeleteIndexAsync(index, cancellationToken)) LogDeleted(index, options.PositionsRetention.TotalDays);
                else LogGone(index);
                deleted.Add(index);
            }
            catch (SearchException ex)
            {
                LogDeleteFailed(index, ex.ErrorType, ex.Message);
                failed.Add(ex);
            }
        }

        if (failed.Count > 0)
        {
            var message = $"{failed.Count} position index(es) past retention not deleted (the next run tries again): "
                + string.Join("; ", failed.Select(f => f.Message));
            throw failed.Any(f => f.IsTransient)
                ? new SearchTransientException(message, failed[0].ErrorType, failed[0])
                : new SearchRejectedException(message, failed[0].ErrorType, failed[0]);
        }
        return new Outcome(deleted, kept, others);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted OpenSearch index {Index}: its whole month is older than the {RetentionDays} days of Sendy:OpenSearch:PositionsRetention")]
    private partial void LogDeleted(string index, double retentionDays);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenSearch index {Index} was past retention and is gone already")]
    private partial void LogGone(string index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenSearch index {Index} past retention not deleted: {ErrorType} {Reason}")]
    private partial void LogDeleteFailed(string index, string? errorType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenSearch index {Index} matches {Prefix}* but is not {Prefix}yyyy.MM: left alone by the position retention")]
    private partial void LogForeign(string index, string prefix);
}
