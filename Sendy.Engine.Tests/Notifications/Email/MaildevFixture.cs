using System.Text.Json;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Notifications.Email;

/// <summary>
/// The maildev ./sendy.sh test starts (SMTP SENDY_TEST_SMTP, REST API SENDY_TEST_MAILDEV_URL).
/// Fails, never skips, when it is not there. Tests find their mail by a unique recipient, so
/// classes run in parallel without clearing the mailbox.
/// </summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    public string SmtpHost { get; } = LocalServer.Smtp.Split(':')[0];

    public int SmtpPort { get; } = int.Parse(LocalServer.Smtp.Split(':')[1]);

    public async Task InitializeAsync()
    {
        await LocalServer.EnsureReachableAsync("maildev SMTP", SmtpHost, SmtpPort, LocalServer.Smtp);
        await LocalServer.EnsureReachableAsync("maildev web API", LocalServer.MaildevUrl);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public SmtpOptions Options(int? port = null) => new()
    {
        Enabled = true,
        Host = SmtpHost,
        Port = port ?? SmtpPort,
        TlsMode = SmtpTlsMode.None,
        From = "no-reply@sendy.test",
        FromName = "Sendy",
        Timeout = TimeSpan.FromSeconds(10),
    };

    public MailKitEmailSender Sender(int? port = null) => new(Microsoft.Extensions.Options.Options.Create(Options(port)));

    public static string UniqueRecipient() => $"customer-{Guid.NewGuid():N}@example.test";

    /// <summary>Every email maildev holds for <paramref name="to"/>, as its REST API returns them (GET /api/email).</summary>
    public static async Task<List<JsonElement>> MailToAsync(string to)
    {
        using var http = new HttpClient();
        string json = await http.GetStringAsync(new Uri(new Uri(LocalServer.MaildevUrl), "/api/email"));
        using JsonDocument all = JsonDocument.Parse(json);
        return all.RootElement.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
            .Select(m => m.Clone())
            .ToList();
    }
}
