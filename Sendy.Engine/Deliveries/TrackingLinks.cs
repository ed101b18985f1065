using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// Customer tracking links. The token is stored hashed for lookups and, for notifications that
/// must carry the link, encrypted with Data Protection (nodes share the key ring in production,
/// as Blazor Server's antiforgery already requires). The base URL is <see cref="PublicLinkOptions"/>.
/// </summary>
public sealed class TrackingLinks(IDataProtectionProvider protection, IOptions<PublicLinkOptions> options)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Sendy.TrackingToken.v1");

    public Uri BaseUrl { get; } = options.Value.BaseUri();

    public string Protect(string token) => _protector.Protect(token);

    /// <summary>The customer's link, or the site's root when the token cannot be recovered (key ring lost).</summary>
    public Uri LinkFor(string? protectedToken)
    {
        if (protectedToken is null) return BaseUrl;
        try
        {
            return new Uri(BaseUrl, "t/" + _protector.Unprotect(protectedToken));
        }
        catch (CryptographicException)
        {
            return BaseUrl;
        }
    }
}
