namespace Sendy.Engine.Notifications.Sns;

/// <summary><see cref="ISnsTopicAdmin"/> over the Query API's CreateTopic and Subscribe actions.</summary>
public sealed class SnsTopicAdmin(SnsQueryClient client) : ISnsTopicAdmin
{
    public async Task<string> CreateTopicAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var result = await client.SendAsync("CreateTopic", [new("Name", name)], cancellationToken).ConfigureAwait(false);
        return SnsQueryClient.RequiredValue(result, "TopicArn", "CreateTopic");
    }

    public async Task<string> SubscribeAsync(string topicArn, string protocol, string endpoint, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(protocol);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        var result = await client
            .SendAsync("Subscribe", [new("TopicArn", topicArn), new("Protocol", protocol), new("Endpoint", endpoint), new("ReturnSubscriptionArn", "true")], cancellationToken)
            .ConfigureAwait(false);
        return SnsQueryClient.RequiredValue(result, "SubscriptionArn", "Subscribe");
    }
}
