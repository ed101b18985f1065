using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Templates;

namespace Sendy.Engine.Notifications.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// The SMTP adapter (<see cref="IEmailSender"/> = <see cref="MailKitEmailSender"/>) and the status
    /// notification templates. Options from "Sendy:Smtp", validated on start when Enabled.
    /// </summary>
    public static IServiceCollection AddSmtpEmail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>());
        services.TryAddSingleton<IEmailSender, MailKitEmailSender>();
        services.TryAddSingleton<StatusNotificationTemplates>();
        return services;
    }
}
