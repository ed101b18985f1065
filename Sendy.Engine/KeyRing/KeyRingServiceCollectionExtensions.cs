using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sendy.Engine.Storage;

namespace Sendy.Engine.KeyRing;

public static class KeyRingServiceCollectionExtensions
{
    /// <summary>
    /// One Data Protection key ring for every node: keys in PostgreSQL (so a staff cookie, an
    /// antiforgery token or a tracking link protected on one node opens on another, and a node
    /// restarted with an empty home folder keeps them), one application name, and optionally a
    /// certificate that encrypts the keys at rest.
    /// </summary>
    public static IServiceCollection AddSendyKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<KeyRingOptions>(configuration, KeyRingOptions.Section);
        var builder = services.AddDataProtection()
            .SetApplicationName(KeyRingOptions.ApplicationName)
            .PersistKeysToDbContext<SendyDbContext>();
        // A bad path or password must fail the start with the options' message, not here with a stack trace.
        if (options.CertificatePath is { } path && options.Validate(new(options)).Any() is false)
        {
            builder.ProtectKeysWithCertificate(options.LoadCertificate(path));
            builder.UnprotectKeysWithAnyCertificate([.. options.PreviousCertificatePaths.Select(options.LoadCertificate)]);
        }
        return services;
    }
}
