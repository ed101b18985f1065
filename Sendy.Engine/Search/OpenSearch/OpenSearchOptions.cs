using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Search.OpenSearch;

/// <summary>Where the cluster is and how to sign in. Bound from "Sendy:OpenSearch".</summary>
public sealed class OpenSearchOptions
{
    public const string SectionName = "Sendy:OpenSearch";

    /// <summary>Whether status events and positions are indexed; jobs check it. When false nothing else is validated.</summary>
    public bool Enabled { get; set; }

    /// <summary>Cluster URL, e.g. https://search-sendy-xxxx.ap-northeast-2.es.amazonaws.com.</summary>
    public string? Url { get; set; }

    /// <summary>Basic authentication (self-managed cluster, fine-grained access control's internal users).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Sign requests with SigV4 (service "es") for Amazon OpenSearch Service with IAM; credentials from AWSSDK.Core's chain.</summary>
    public bool UseAwsSigV4 { get; set; }

    public string Region { get; set; } = "us-east-1";

    public string StatusEventsIndex { get; set; } = "sendy-status-events";

    /// <summary>Monthly position indices are this prefix + "YYYY.MM" (UTC month of the device time).</summary>
    public string PositionsIndexPrefix { get; set; } = "sendy-positions-";

    /// <summary>
    /// A monthly position index is deleted once its whole month is older than this (location data is
    /// not kept for ever); by <see cref="PositionIndexRetentionJob"/>. Same default as Sendy:History:Retention.
    /// </summary>
    public TimeSpan PositionsRetention { get; set; } = TimeSpan.FromDays(180);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bulk rounds in all (first included) before items still refused with 429/503 are handed back.</summary>
    public int BulkMaxAttempts { get; set; } = 5;

    public TimeSpan BulkRetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan BulkRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A _bulk body is cut before it passes this size (AWS caps requests at 10 MiB on small instances).</summary>
    public int BulkMaxBytes { get; set; } = 5 * 1024 * 1024;

    public string PositionsIndexFor(DateTimeOffset deviceTime) =>
        $"{PositionsIndexPrefix}{deviceTime.UtcDateTime:yyyy.MM}";

    /// <summary>The month of an index named exactly <see cref="PositionsIndexPrefix"/> + "yyyy.MM"; null for any other name.</summary>
    public DateOnly? PositionsIndexMonth(string index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (!index.StartsWith(PositionsIndexPrefix, StringComparison.Ordinal)) return null;
        var rest = index[PositionsIndexPrefix.Length..];
        // The round trip refuses every other spelling ("2026.1", "2026.01 ", "2026.13").
        return DateOnly.TryParseExact(rest, "yyyy.MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
            && month.ToString("yyyy.MM", CultureInfo.InvariantCulture) == rest
            ? month
            : null;
    }

    /// <summary>
    /// Whether every position a month's index can hold (device time before the month's end, UTC) is
    /// older than <see cref="PositionsRetention"/> at <paramref name="now"/>: the month end is at or before now - retention.
    /// </summary>
    public bool PositionsMonthExpired(DateOnly month, DateTimeOffset now)
    {
        var monthEnd = new DateTimeOffset(new DateOnly(month.Year, month.Month, 1).AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return monthEnd <= now - PositionsRetention;
    }
}

public sealed partial class OpenSearchOptionsValidator : IValidateOptions<OpenSearchOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenSearchOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        const string S = OpenSearchOptions.SectionName;
        var failures = new List<string>();
        if (!(Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"))
        {
            failures.Add($"{S}:Url must be an absolute http(s) URL; got '{options.Url}'.");
        }

        if (options.UseAwsSigV4 && !string.IsNullOrEmpty(options.Username))
        {
            failures.Add($"{S}: choose UseAwsSigV4 or Username/Password, not both.");
        }

        if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{S}: set both Username and Password, or neither.");
        }

        if (options.UseAwsSigV4 && !RegionPattern().IsMatch(options.Region ?? string.Empty))
        {
            failures.Add($"{S}:Region must be an AWS region name such as 'ap-northeast-2'; got '{options.Region}'.");
        }

        if (!IndexPattern().IsMatch(options.StatusEventsIndex ?? string.Empty) || !IndexPattern().IsMatch(options.PositionsIndexPrefix ?? string.Empty))
        {
            failures.Add($"{S}: StatusEventsIndex and PositionsIndexPrefix must be lower-case index names.");
        }

        if (options.PositionsRetention < MinRetention || options.PositionsRetention > MaxRetention)
        {
            failures.Add($"{S}:PositionsRetention must be between 1 day and 3650 days, e.g. '180.00:00:00' (position indices are deleted once their month is older); got '{options.PositionsRetention}'.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.BulkMaxAttempts < 1 || options.BulkMaxBytes < 1024
            || options.BulkRetryBaseDelay < TimeSpan.Zero || options.BulkRetryMaxDelay < options.BulkRetryBaseDelay)
        {
            failures.Add($"{S}: need RequestTimeout > 0, BulkMaxAttempts >= 1, BulkMaxBytes >= 1024, 0 <= BulkRetryBaseDelay <= BulkRetryMaxDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static readonly TimeSpan MinRetention = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,200}$")]
    private static partial Regex IndexPattern();
}
