using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// Standard Webhooks signatures (standardwebhooks.com): <c>webhook-signature</c> holds
/// <c>v1,&lt;base64 HMAC-SHA256&gt;</c> over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with
/// the base64-decoded secret (<c>whsec_…</c>). While a secret is rotated, a message is signed with
/// the new and the old secret, space-separated, and a receiver accepts either (the spec's rotation).
/// Our own code rather than the StandardWebhooks package: that signs with one key only and verifies
/// against the system clock; both are a few lines here, checked against the spec's vectors and the
/// package in the tests.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a receiver lets <c>webhook-timestamp</c> be from its clock, either way (the reference libraries' 5 minutes).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes in base64 (the spec asks for 24 to 64).</summary>
    public static string CreateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key of a secret, with or without its prefix; null when it is not one (empty, not base64, under 24 bytes).</summary>
    public static byte[]? KeyOf(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return null;
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        var key = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, key, out var length) && length is >= 24 and <= 64 ? key[..length] : null;
    }

    /// <summary>One <c>v1,…</c> signature.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")));

    /// <summary>The <c>webhook-signature</c> header: one signature per secret still in use (the new one first while rotating).</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(s => Sign(KeyOf(s) ?? throw new ArgumentException("not a webhook secret", nameof(secrets)), messageId, timestamp, body)));

    /// <summary>
    /// What a receiver checks: the timestamp within <see cref="Tolerance"/> of <paramref name="now"/>,
    /// and one <c>v1</c> signature in the header made with <paramref name="secret"/> (other versions ignored).
    /// </summary>
    public static bool Verify(string secret, string? messageId, string? timestamp, string? signatureHeader, string body, DateTimeOffset now)
    {
        if (KeyOf(secret) is not { } key || string.IsNullOrEmpty(messageId) || string.IsNullOrEmpty(signatureHeader)
            || !long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (DateTimeOffset.FromUnixTimeSeconds(seconds) - now).Duration() > Tolerance)
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(key, messageId, seconds, body));
        return signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(s => s.StartsWith("v1,", StringComparison.Ordinal) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }
}
