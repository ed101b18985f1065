using System.Text.Json;
using Amazon.SQS.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Sns;
using Sendy.Engine.Tests.Deliveries;
using Sendy.Engine.Tests.Infrastructure;
using Sendy.Engine.Tests.Notifications.Email;
using Sendy.Engine.Tests.Notifications.Sns;

namespace Sendy.Engine.Tests.Notifications;

/// <summary>A status change through outbox and jobs to the real local servers: moto (SNS topic → SQS, SMS) and maildev.</summary>
public sealed class NotificationChannelsLiveTests(MotoFixture moto, MaildevFixture maildev)
    : IClassFixture<MotoFixture>, IClassFixture<MaildevFixture>, IAsyncLifetime
{
    private readonly TestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task a_status_change_reaches_the_topics_queue_the_customers_phone_and_inbox_in_their_language()
    {
        var (topicArn, queueUrl) = await moto.TopicWithQueueAsync("status");
        var email = MaildevFixture.UniqueRecipient();
        var phone = "+8210" + Random.Shared.Next(10_000_000, 99_999_999);
        await using var h = new DeliveryHarness(_db, new()
        {
            ["Sendy:Sns:TopicArn"] = topicArn,
            ["Sendy:Smtp:Port"] = maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sendy:Smtp:TlsMode"] = "None",
        }, services =>
        {
            services.Replace(ServiceDescriptor.Transient<ISnsPublisher, SnsPublisher>());
            services.Replace(ServiceDescriptor.Singleton<IEmailSender, MailKitEmailSender>());
        });
        var (_, driver, delivery) = await h.DeliveryAsync(DeliveryStatus.PickedUp, locale: "en", email: email, phone: phone);
        await h.ClearOutboxAsync(_db);
        await moto.Sqs.PurgeQueueAsync(queueUrl);

        await h.Statuses.ChangeAsync(new StatusChangeRequest(delivery, DeliveryStatus.InTransit, StatusActor.Driver(driver), "go-1"), default);
        var queue = new RecordingJobQueue();
        await h.Dispatcher(queue).DispatchOnceAsync(default);
        foreach (var id in queue.Enqueued) await h.Job().RunAsync(id, default);

        var received = await moto.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 2 });
        using var envelope = JsonDocument.Parse(Assert.Single(received.Messages).Body);
        var attributes = envelope.RootElement.GetProperty("MessageAttributes");
        Assert.Equal("InTransit", attributes.GetProperty("status").GetProperty("Value").GetString());
        Assert.Equal(delivery.ToString(), attributes.GetProperty("deliveryId").GetProperty("Value").GetString());
        Assert.Equal("en", attributes.GetProperty("locale").GetProperty("Value").GetString());

        using var data = await MotoFixture.MotoDataAsync();
        var sms = data.RootElement.GetProperty("sns").GetProperty("SMS").EnumerateArray().Single(m => m.GetProperty("phone_number").GetString() == phone);
        Assert.Contains("In transit", sms.GetProperty("message").GetString());

        var mail = Assert.Single(await Eventually.ReachesAsync(() => MaildevFixture.MailToAsync(email), l => l.Count > 0, "status mail in maildev", 10));
        Assert.StartsWith("[Sendy] Delivery D-", mail.GetProperty("subject").GetString());
        Assert.EndsWith(": In transit", mail.GetProperty("subject").GetString());
        Assert.Contains("lang=\"en\"", mail.GetProperty("html").GetString());
        Assert.Matches(@"Track your delivery live: http://sendy\.test/t/[A-Za-z0-9_-]{43}", mail.GetProperty("text").GetString());
    }
}
