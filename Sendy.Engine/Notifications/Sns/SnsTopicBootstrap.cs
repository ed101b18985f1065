using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Notifications.Sns;

/// <summary>
/// Local set-up only (Sendy:Sns:CreateTopicIfMissing): creates the configured topic at start, so a
/// fresh moto has it before the first status change. In AWS the topic is provisioned outside the app.
/// </summary>
public sealed class SnsTopicBootstrap(ISnsTopicAdmin admin, IOptions<SnsOptions> options, ILogger<SnsTopicBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        SnsOptions o = options.Value;
        string name = o.TopicName ?? throw new InvalidOperationException($"{SnsOptions.SectionName}:TopicArn is required to create the topic.");
        string arn = await admin.CreateTopicAsync(name, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(arn, o.TopicArn, StringComparison.Ordinal))
        {
            NotificationsLog.SnsTopicArnMismatch(logger, arn, o.TopicArn!);
        }

        NotificationsLog.SnsTopicReady(logger, arn);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
