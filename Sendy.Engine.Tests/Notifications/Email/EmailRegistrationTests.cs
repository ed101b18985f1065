using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Notifications.Templates;

namespace Sendy.Engine.Tests.Notifications.Email;

public sealed class EmailRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddLogging()
            .AddSmtpEmail(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public void binds_sendy_smtp_and_resolves_the_sender_and_templates()
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Smtp:Enabled"] = "true",
            ["Sendy:Smtp:Host"] = "127.0.0.1",
            ["Sendy:Smtp:Port"] = "1025",
            ["Sendy:Smtp:TlsMode"] = "None",
            ["Sendy:Smtp:From"] = "no-reply@sendy.local",
        });

        SmtpOptions options = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        Assert.Equal(1025, options.Port);
        Assert.Equal(SmtpTlsMode.None, options.TlsMode);
        Assert.IsType<MailKitEmailSender>(services.GetRequiredService<IEmailSender>());
        Assert.NotNull(services.GetRequiredService<StatusNotificationTemplates>());
    }

    [Theory]
    [InlineData("Sendy:Smtp:Host", "")]
    [InlineData("Sendy:Smtp:Port", "0")]
    [InlineData("Sendy:Smtp:From", "not an address")]
    [InlineData("Sendy:Smtp:User", "only-user")]
    public void invalid_settings_fail_validation_when_enabled(string key, string value)
    {
        using ServiceProvider services = Build(new()
        {
            ["Sendy:Smtp:Enabled"] = "true",
            ["Sendy:Smtp:Host"] = "smtp.example",
            ["Sendy:Smtp:From"] = "no-reply@sendy.local",
            [key] = value,
        });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SmtpOptions>>().Value);
    }
}
