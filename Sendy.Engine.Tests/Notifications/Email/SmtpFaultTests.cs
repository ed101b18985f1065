using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications;
using Sendy.Engine.Notifications.Email;

namespace Sendy.Engine.Tests.Notifications.Email;

/// <summary>A scripted SMTP server for answers maildev never gives (4xx greylisting, 5xx refusal).</summary>
public sealed class SmtpFaultTests
{
    [Theory]
    [InlineData("451 4.7.1 Greylisted, try again later", true)]
    [InlineData("550 5.1.1 Mailbox does not exist", false)]
    public async Task recipient_refusal_is_transient_for_4xx_and_rejected_for_5xx(string rcptAnswer, bool transient)
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        Task serving = ServeAsync(server, rcptAnswer);
        var sender = new MailKitEmailSender(Options.Create(new SmtpOptions
        {
            Enabled = true, Host = "127.0.0.1", Port = port, TlsMode = SmtpTlsMode.None, From = "no-reply@sendy.test", Timeout = TimeSpan.FromSeconds(10),
        }));

        var error = await Assert.ThrowsAnyAsync<NotificationException>(() =>
            sender.SendAsync(new EmailMessage("x@example.test", null, "s", "<p>h</p>", "t", "k"), default));

        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(rcptAnswer[..3], error.ErrorCode);
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task ServeAsync(TcpListener server, string rcptAnswer)
    {
        using TcpClient client = await server.AcceptTcpClientAsync();
        await using NetworkStream stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 fake.test ESMTP");
        while (await reader.ReadLineAsync() is { } line)
        {
            string verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250 fake.test");
                    break;
                case "MAIL":
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT":
                    await writer.WriteLineAsync(rcptAnswer);
                    break;
                case "RSET":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 not implemented");
                    break;
            }
        }
    }
}
