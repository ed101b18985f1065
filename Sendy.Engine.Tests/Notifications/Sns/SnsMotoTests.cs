using System.Text.Json;
using Amazon.SQS.Model;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.Sns;

namespace Sendy.Engine.Tests.Notifications.Sns;

public sealed class SnsMotoTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    [Fact]
    public async Task publish_to_topic_reaches_the_subscribed_queue_with_subject_and_attributes()
    {
        string topicArn = await moto.Admin.CreateTopicAsync(MotoFixture.UniqueName("status"), default);
        string queueUrl = (await moto.Sqs.CreateQueueAsync(MotoFixture.UniqueName("status-q"))).QueueUrl;
        string queueArn = (await moto.Sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).QueueARN;
        string subscriptionArn = await moto.Admin.SubscribeAsync(topicArn, "sqs", queueArn, default);
        Assert.StartsWith(topicArn + ":", subscriptionArn);

        var attributes = new Dictionary<string, string> { ["status"] = "InTransit", ["delivery"] = "D-7Q2K", ["lang"] = "ko" };
        string messageId = await moto.Publisher.PublishToTopicAsync(topicArn, "Delivery D-7Q2K", "화물이 운송 중입니다 & more", attributes, default);

        ReceiveMessageResponse received = await moto.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = 2 });
        Message message = Assert.Single(received.Messages);
        // SNS wraps the message in a JSON envelope unless raw delivery is on.
        using JsonDocument envelope = JsonDocument.Parse(message.Body);
        JsonElement root = envelope.RootElement;
        Assert.Equal(messageId, root.GetProperty("MessageId").GetString());
        Assert.Equal(topicArn, root.GetProperty("TopicArn").GetString());
        Assert.Equal("Delivery D-7Q2K", root.GetProperty("Subject").GetString());
        Assert.Equal("화물이 운송 중입니다 & more", root.GetProperty("Message").GetString());
        JsonElement sent = root.GetProperty("MessageAttributes");
        foreach ((string name, string value) in attributes)
        {
            Assert.Equal("String", sent.GetProperty(name).GetProperty("Type").GetString());
            Assert.Equal(value, sent.GetProperty(name).GetProperty("Value").GetString());
        }
    }

    [Fact]
    public async Task sms_is_recorded_by_moto_with_the_number_and_text()
    {
        string text = "[Sendy] D-" + Guid.NewGuid().ToString("N")[..6] + " 배송 완료";

        string messageId = await moto.Publisher.SendSmsAsync("+821012345678", text, default);

        using JsonDocument data = await MotoFixture.MotoDataAsync();
        JsonElement sms = data.RootElement.GetProperty("sns").GetProperty("SMS")
            .EnumerateArray().Single(m => m.GetProperty("message_id").GetString() == messageId);
        Assert.Equal("+821012345678", sms.GetProperty("phone_number").GetString());
        Assert.Equal(text, sms.GetProperty("message").GetString());
    }

    [Fact]
    public async Task publish_to_a_topic_that_does_not_exist_is_rejected_with_sns_error_code()
    {
        string missing = "arn:aws:sns:us-east-1:123456789012:" + MotoFixture.UniqueName("missing");

        var error = await Assert.ThrowsAsync<NotificationRejectedException>(
            () => moto.Publisher.PublishToTopicAsync(missing, null, "hello", new Dictionary<string, string>(), default));

        Assert.Equal("NotFound", error.ErrorCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task create_topic_is_idempotent()
    {
        string name = MotoFixture.UniqueName("idem");

        string first = await moto.Admin.CreateTopicAsync(name, default);
        string second = await moto.Admin.CreateTopicAsync(name, default);

        Assert.Equal(first, second);
        Assert.EndsWith(":" + name, first);
    }

    [Fact]
    public async Task an_unreachable_endpoint_is_transient()
    {
        // A port nobody listens on: bind one, note it, close it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var publisher = new SnsPublisher(MotoFixture.CreateClient(new SnsOptions { Enabled = true, Endpoint = $"http://127.0.0.1:{port}" }));

        var error = await Assert.ThrowsAsync<NotificationTransientException>(
            () => publisher.PublishToTopicAsync("arn:aws:sns:us-east-1:123456789012:x", null, "m", new Dictionary<string, string>(), default));

        Assert.Equal("Unavailable", error.ErrorCode);
    }

    [Theory]
    [InlineData("01012345678")]
    [InlineData("+0101234")]
    [InlineData("+82 10 1234 5678")]
    public async Task sms_to_a_number_that_is_not_e164_is_rejected_without_calling_sns(string number)
    {
        var error = await Assert.ThrowsAsync<NotificationRejectedException>(() => moto.Publisher.SendSmsAsync(number, "x", default));
        Assert.Equal("InvalidPhoneNumber", error.ErrorCode);
    }

    [Fact]
    public async Task sms_is_refused_when_sms_is_disabled()
    {
        var publisher = new SnsPublisher(MotoFixture.CreateClient(new SnsOptions { Enabled = true, Endpoint = MotoFixture.Endpoint, SmsEnabled = false }));

        var error = await Assert.ThrowsAsync<NotificationRejectedException>(() => publisher.SendSmsAsync("+821012345678", "x", default));

        Assert.Equal("SmsDisabled", error.ErrorCode);
    }
}
