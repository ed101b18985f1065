using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Streams.Kinesis;

/// <summary>Where the stream is and how hard to retry. Bound from "Sendy:Stream".</summary>
public sealed class KinesisOptions
{
    public const string SectionName = "Sendy:Stream";

    /// <summary>Service URL; null means AWS (https://kinesis.{Region}.amazonaws.com). A loopback URL means kinesalite.</summary>
    public string? Endpoint { get; set; }

    public string Region { get; set; } = "us-east-1";

    public string StreamName { get; set; } = string.Empty;

    /// <summary>Shards to create the stream with; local set-up only (AWS streams are provisioned outside the app).</summary>
    public int ShardCount { get; set; } = 2;

    /// <summary>Create the stream at start and recreate it if it disappears (local set-up only: kinesalite keeps streams in memory).</summary>
    public bool CreateIfMissing { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>PutRecords rounds after the first before records still refused make the call fail.</summary>
    public int PutRetryAttempts { get; set; } = 8;

    public TimeSpan PutRetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan PutRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often <see cref="KinesisStreamAdmin.WaitUntilActiveAsync"/> polls.</summary>
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public Uri ResolveEndpoint() =>
        string.IsNullOrWhiteSpace(Endpoint)
            ? new Uri($"https://kinesis.{Region}.amazonaws.com/")
            : new Uri(Endpoint, UriKind.Absolute);

    /// <summary>A loopback endpoint is a local emulator: it gets dummy credentials instead of the SDK chain.</summary>
    public bool IsLocalEndpoint
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Endpoint) || !Uri.TryCreate(Endpoint, UriKind.Absolute, out Uri? uri))
            {
                return false;
            }

            return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
        }
    }
}

public sealed partial class KinesisOptionsValidator : IValidateOptions<KinesisOptions>
{
    public ValidateOptionsResult Validate(string? name, KinesisOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme is "http" or "https"))
        {
            failures.Add($"{KinesisOptions.SectionName}:Endpoint must be an absolute http(s) URL, or empty for AWS; got '{options.Endpoint}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || !RegionPattern().IsMatch(options.Region))
        {
            failures.Add($"{KinesisOptions.SectionName}:Region must be an AWS region name such as 'eu-west-1'; got '{options.Region}'.");
        }

        if (!StreamNamePattern().IsMatch(options.StreamName))
        {
            failures.Add($"{KinesisOptions.SectionName}:StreamName must be 1-128 characters of [a-zA-Z0-9_.-]; got '{options.StreamName}'.");
        }

        if (options.ShardCount < 1)
        {
            failures.Add($"{KinesisOptions.SectionName}:ShardCount must be at least 1.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{KinesisOptions.SectionName}:RequestTimeout must be positive.");
        }

        if (options.PutRetryAttempts < 0)
        {
            failures.Add($"{KinesisOptions.SectionName}:PutRetryAttempts must not be negative.");
        }

        if (options.PutRetryBaseDelay < TimeSpan.Zero || options.PutRetryMaxDelay < options.PutRetryBaseDelay)
        {
            failures.Add($"{KinesisOptions.SectionName}: need 0 <= PutRetryBaseDelay <= PutRetryMaxDelay.");
        }

        if (options.StatusPollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{KinesisOptions.SectionName}:StatusPollInterval must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,128}$")]
    private static partial Regex StreamNamePattern();
}
