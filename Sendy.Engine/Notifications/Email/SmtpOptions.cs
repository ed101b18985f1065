using Microsoft.Extensions.Options;
using MimeKit;

namespace Sendy.Engine.Notifications.Email;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text; local servers (maildev) only.</summary>
    None,

    /// <summary>Plain connect, then STARTTLS, required (port 587: Amazon SES, most providers).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>The outgoing mail server and sender. Bound from "Sendy:Smtp".</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Sendy:Smtp";

    /// <summary>Whether status emails are sent at all; jobs check it before enqueueing. When false nothing else is validated.</summary>
    public bool Enabled { get; set; }

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 587;

    public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.StartTls;

    /// <summary>Login; empty = no authentication (maildev).</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = string.Empty;

    public string? FromName { get; set; } = "Sendy";

    /// <summary>Connect, send and quit must finish within this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{SmtpOptions.SectionName}:Host is required.");
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{SmtpOptions.SectionName}:Port must be 1-65535; got {options.Port}.");
        }

        if (!MailboxAddress.TryParse(options.From, out MailboxAddress? from) || !from.Address.Contains('@'))
        {
            failures.Add($"{SmtpOptions.SectionName}:From must be an email address; got '{options.From}'.");
        }

        if (string.IsNullOrEmpty(options.User) != string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{SmtpOptions.SectionName}: set both User and Password, or neither.");
        }

        if (!Enum.IsDefined(options.TlsMode))
        {
            failures.Add($"{SmtpOptions.SectionName}:TlsMode must be None, StartTls or SslOnConnect.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{SmtpOptions.SectionName}:Timeout must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
