using Sendy.Engine.Deliveries;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Templates;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Notifications.Email;

public sealed class MailKitEmailSenderTests(MaildevFixture maildev) : IClassFixture<MaildevFixture>
{
    private static readonly Uri Link = new("https://sendy.example/t/AbC123_token");

    [Fact]
    public async Task a_korean_status_email_arrives_with_subject_link_and_stable_message_id()
    {
        string to = MaildevFixture.UniqueRecipient();
        RenderedNotification rendered = new StatusNotificationTemplates().Render(
            new StatusChangeNotice("김민지", "D-7Q2K", DeliveryStatus.InTransit, Link, TruckPlate: "서울12가3456", DriverFirstName: "준호"),
            NotificationLanguage.Korean);
        string key = "status-event:" + Guid.NewGuid() + ":email";

        string messageId = await maildev.Sender().SendAsync(
            new EmailMessage(to, "김민지", rendered.Subject, rendered.HtmlBody, rendered.TextBody, key), default);

        JsonElement mail = Assert.Single(await Eventually.ReachesAsync(() => MaildevFixture.MailToAsync(to), l => l.Count > 0, "mail in maildev", 10));
        Assert.Equal("[Sendy] 배송 D-7Q2K: 운송 중", mail.GetProperty("subject").GetString());
        Assert.Equal($"<{messageId}>", mail.GetProperty("headers").GetProperty("message-id").GetString());
        Assert.Equal(MailKitEmailSender.MessageIdFor(key, "sendy.test"), messageId);
        Assert.Equal(key, mail.GetProperty("headers").GetProperty("x-sendy-idempotency-key").GetString());
        string html = mail.GetProperty("html").GetString()!;
        Assert.Contains("href=\"https://sendy.example/t/AbC123_token\"", html);
        Assert.Contains("김민지 고객님", html);
        Assert.Contains("lang=\"ko\"", html);
        Assert.Contains("실시간 위치 보기: https://sendy.example/t/AbC123_token", mail.GetProperty("text").GetString());
        Assert.Equal("김민지", mail.GetProperty("to")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task an_english_email_arrives_in_english()
    {
        string to = MaildevFixture.UniqueRecipient();
        RenderedNotification rendered = new StatusNotificationTemplates().Render(
            new StatusChangeNotice("Jane Doe", "D-9X1A", DeliveryStatus.Delivered, Link), NotificationLanguage.English);

        await maildev.Sender().SendAsync(new EmailMessage(to, "Jane Doe", rendered.Subject, rendered.HtmlBody, rendered.TextBody, Guid.NewGuid().ToString()), default);

        JsonElement mail = Assert.Single(await Eventually.ReachesAsync(() => MaildevFixture.MailToAsync(to), l => l.Count > 0, "mail in maildev", 10));
        Assert.Equal("[Sendy] Delivery D-9X1A: Delivered", mail.GetProperty("subject").GetString());
        Assert.Contains("Your freight has been delivered.", mail.GetProperty("html").GetString());
        Assert.Contains("View your delivery: https://sendy.example/t/AbC123_token", mail.GetProperty("text").GetString());
    }

    [Fact]
    public async Task the_same_idempotency_key_gives_the_same_message_id_so_duplicates_are_detectable()
    {
        string to = MaildevFixture.UniqueRecipient();
        var message = new EmailMessage(to, null, "dup", "<p>x</p>", "x", "status-event:42:email");

        string first = await maildev.Sender().SendAsync(message, default);
        string second = await maildev.Sender().SendAsync(message, default);

        Assert.Equal(first, second);
        List<JsonElement> mails = await Eventually.ReachesAsync(() => MaildevFixture.MailToAsync(to), l => l.Count == 2, "two mails in maildev", 10);
        Assert.All(mails, m => Assert.Equal($"<{first}>", m.GetProperty("headers").GetProperty("message-id").GetString()));
    }

    [Fact]
    public async Task a_closed_smtp_port_is_transient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await Assert.ThrowsAsync<NotificationTransientException>(() =>
            maildev.Sender(port).SendAsync(new EmailMessage("a@example.test", null, "s", "<p>h</p>", "t", "k"), default));

        Assert.Equal("ConnectionRefused", error.ErrorCode);
    }

    [Fact]
    public async Task a_caller_cancellation_is_not_turned_into_a_notification_error()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            maildev.Sender().SendAsync(new EmailMessage("a@example.test", null, "s", "<p>h</p>", "t", "k"), cancelled.Token));
    }
}
