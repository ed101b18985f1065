using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Notifications.Email;
using Sendy.Engine.Tests.Notifications.Sns;
using Xunit.Abstractions;

namespace Sendy.Engine.Tests.Notifications;

/// <summary>
/// SMTP and SNS go down (a proxy in front of maildev and moto refuses connections): the jobs fail
/// as transient (Hangfire retries them), deliver once the servers are back, and a job run again
/// sends nothing twice — counted in maildev and in an SQS queue subscribed to the topic.
/// </summary>
public sealed class NotificationOutageTests(MotoFixture moto, MaildevFixture maildev, ITestOutputHelper output)
    : IClassFixture<MotoFixture>, IClassFixture<MaildevFixture>, IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task jobs_retry_through_an_smtp_and_sns_outage_and_deliver_exactly_once()
    {
        var (topicArn, queueUrl) = await moto.TopicWithQueueAsync("outage");
        await using var smtp = new TcpProxy(maildev.SmtpPort);
        await using var sns = new TcpProxy(new Uri(LocalServer.SnsEndpoint).Port);
        var email = MaildevFixture.UniqueRecipient();
        await using var h = new DeliveryHarness(_db, new()
        {
            ["Sendy:Sns:TopicArn"] = topicArn,
            ["Sendy:Sns:Endpoint"] = $"http://127.0.0.1:{sns.Port}",
            ["Sendy:Sns:SmsEnabled"] = "false",
            ["Sendy:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sendy:Smtp:TlsMode"] = "None",
            ["Sendy:Smtp:Timeout"] = "00:00:03",
        }, services =>
        {
            services.Replace(ServiceDescriptor.Transient<ISnsPublisher, SnsPublisher>());
            services.Replace(ServiceDescriptor.Singleton<IEmailSender, MailKitEmailSender>());
        });
        var (_, driver, delivery) = await h.DeliveryAsync(DeliveryStatus.PickedUp, locale: "ko", email: email, phone: null);
        await h.ClearOutboxAsync(_db);
        await moto.Sqs.PurgeQueueAsync(queueUrl);

        // Both servers down when the driver changes the status.
        await h.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.InTransit, StatusActor.Driver(driver), "outage-1"), default);
        var queue = new RecordingJobQueue();
        await h.Dispatcher(queue).DispatchOnceAsync(default);
        Assert.NotEmpty(queue.Enqueued);
        var failures = 0;
        foreach (var id in queue.Enqueued)
        {
            var ex = await Record.ExceptionAsync(() => h.Job().RunAsync(id, default));
            if (ex is NotificationTransientException) failures++;
            else Assert.Null(ex); // a channel not behind the proxies (search indexing off) must not fail
        }
        Assert.Equal(2, failures); // email and topic: transient, so Hangfire retries them

        // Back up: the retried jobs deliver; a further (duplicate) run sends nothing again.
        smtp.Up();
        sns.Up();
        foreach (var id in queue.Enqueued) await h.Job().RunAsync(id, default);
        foreach (var id in queue.Enqueued) await h.Job().RunAsync(id, default);

        // maildev answers a message's DATA only after storing it (@maildev/smtp's handleDataStream
        // calls back after saveEmail), and a job returns only after that answer: every mail the runs
        // above sent is in maildev now, so the count is final without waiting.
        var mails = await MaildevFixture.MailToAsync(email);
        Assert.Single(mails);
        // Likewise moto hands an SNS message to the subscribed queue inside the Publish call: the
        // queue is complete, so read it until it is empty instead of long-polling for stragglers.
        var messages = new List<Message>();
        while ((await moto.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 0, MaxNumberOfMessages = 10 })).Messages
               is { Count: > 0 } received)
            messages.AddRange(received);
        Assert.Single(messages);
        output.WriteLine($"{failures} transient failures while down; after recovery: {mails.Count} mail, {messages.Count} SNS message");
    }
}
