using System.Text.RegularExpressions;

namespace Sendy.Engine.Notifications.Sns;

/// <summary><see cref="ISnsPublisher"/> over the Query API's Publish action.</summary>
public sealed partial class SnsPublisher(SnsQueryClient client) : ISnsPublisher
{
    /// <summary>SNS's limit on message attributes per message.</summary>
    public const int MaxAttributes = 10;

    public const string SmsTypeAttribute = "AWS.SNS.SMS.SMSType";

    public async Task<string> PublishToTopicAsync(
        string topicArn,
        string? subject,
        string message,
        IReadOnlyDictionary<string, string> attributes,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicArn);
        ArgumentException.ThrowIfNullOrEmpty(message);
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.Count > MaxAttributes)
        {
            throw new ArgumentException($"SNS allows at most {MaxAttributes} message attributes; got {attributes.Count}.", nameof(attributes));
        }

        var parameters = new List<KeyValuePair<string, string>>(4 + attributes.Count * 3)
        {
            new("TopicArn", topicArn),
            new("Message", message),
        };
        if (!string.IsNullOrEmpty(subject))
        {
            parameters.Add(new("Subject", subject));
        }

        // Sorted so the same call always produces the same body (easier to compare in logs and tests).
        int n = 0;
        foreach ((string name, string value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            AddStringAttribute(parameters, ++n, name, value);
        }

        var result = await client.SendAsync("Publish", parameters, cancellationToken).ConfigureAwait(false);
        return SnsQueryClient.RequiredValue(result, "MessageId", "Publish");
    }

    public async Task<string> SendSmsAsync(string phoneNumberE164, string message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        if (!client.Options.SmsEnabled)
        {
            throw new NotificationRejectedException("SMS is disabled (Sendy:Sns:SmsEnabled is false).", "SmsDisabled");
        }

        // A bad number stored for a customer will never become good by retrying: rejected, not an ArgumentException.
        if (phoneNumberE164 is null || !E164().IsMatch(phoneNumberE164))
        {
            throw new NotificationRejectedException($"'{phoneNumberE164}' is not an E.164 phone number (e.g. +821012345678).", "InvalidPhoneNumber");
        }

        var parameters = new List<KeyValuePair<string, string>>(5)
        {
            new("PhoneNumber", phoneNumberE164),
            new("Message", message),
        };
        // Transactional: delivery status updates are time-critical and not marketing (different routes, no opt-out quiet hours).
        AddStringAttribute(parameters, 1, SmsTypeAttribute, "Transactional");

        var result = await client.SendAsync("Publish", parameters, cancellationToken).ConfigureAwait(false);
        return SnsQueryClient.RequiredValue(result, "MessageId", "Publish");
    }

    private static void AddStringAttribute(List<KeyValuePair<string, string>> parameters, int n, string name, string value)
    {
        string prefix = $"MessageAttributes.entry.{n}.";
        parameters.Add(new(prefix + "Name", name));
        parameters.Add(new(prefix + "Value.DataType", "String"));
        parameters.Add(new(prefix + "Value.StringValue", value));
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();
}
