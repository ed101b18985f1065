using Microsoft.AspNetCore.DataProtection;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// Endpoint secrets at rest: encrypted with Data Protection under the key ring every node shares
/// (they must be recovered to sign, so unlike API keys they cannot be hashed).
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Sendy.WebhookSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="System.Security.Cryptography.CryptographicException">The key ring that encrypted it is not this node's.</exception>
    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The secrets a message is signed with now: the current one, and the previous one while its grace period runs.</summary>
    public IReadOnlyList<string> SigningSecrets(string current, string? previous, DateTimeOffset? previousExpiresAt, DateTimeOffset now) =>
        previous is not null && previousExpiresAt > now ? [Unprotect(current), Unprotect(previous)] : [Unprotect(current)];
}
