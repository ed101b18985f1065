using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Notifications.Sns;

/// <summary>Where SNS is and what to publish to. Bound from "Sendy:Sns".</summary>
public sealed class SnsOptions
{
    public const string SectionName = "Sendy:Sns";

    /// <summary>Whether status changes are published at all; jobs check it before enqueueing. When false nothing else is validated.</summary>
    public bool Enabled { get; set; }

    /// <summary>Service URL; null means AWS (https://sns.{Region}.amazonaws.com). A loopback URL means moto: dummy credentials.</summary>
    public string? Endpoint { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>The topic status changes go to (subscribers: email/SQS fan-out, partners).</summary>
    public string? TopicArn { get; set; }

    /// <summary>SMS to customers' phones costs money per message: off unless asked for. When off, SendSmsAsync refuses.</summary>
    public bool SmsEnabled { get; set; }

    /// <summary>Local set-up only: create the topic named by <see cref="TopicArn"/>'s last segment at start.</summary>
    public bool CreateTopicIfMissing { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public Uri ResolveEndpoint() =>
        string.IsNullOrWhiteSpace(Endpoint)
            ? new Uri($"https://sns.{Region}.amazonaws.com/")
            : new Uri(Endpoint, UriKind.Absolute);

    /// <summary>A loopback endpoint is a local emulator: it gets dummy credentials instead of the SDK chain.</summary>
    public bool IsLocalEndpoint => LocalEndpoints.IsLoopback(Endpoint);

    /// <summary>"arn:aws:sns:us-east-1:123456789012:sendy-status" → "sendy-status".</summary>
    public string? TopicName => string.IsNullOrWhiteSpace(TopicArn) ? null : TopicArn[(TopicArn.LastIndexOf(':') + 1)..];
}

public sealed partial class SnsOptionsValidator : IValidateOptions<SnsOptions>
{
    public ValidateOptionsResult Validate(string? name, SnsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme is "http" or "https"))
        {
            failures.Add($"{SnsOptions.SectionName}:Endpoint must be an absolute http(s) URL, or empty for AWS; got '{options.Endpoint}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || !RegionPattern().IsMatch(options.Region))
        {
            failures.Add($"{SnsOptions.SectionName}:Region must be an AWS region name such as 'ap-northeast-2'; got '{options.Region}'.");
        }

        if (string.IsNullOrWhiteSpace(options.TopicArn) || !TopicArnPattern().IsMatch(options.TopicArn))
        {
            failures.Add($"{SnsOptions.SectionName}:TopicArn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME); got '{options.TopicArn}'.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{SnsOptions.SectionName}:RequestTimeout must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")]
    private static partial Regex TopicArnPattern();
}

internal static class LocalEndpoints
{
    public static bool IsLoopback(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }
}
