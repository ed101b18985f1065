using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Security;

/// <summary>
/// Driver and tracking tokens: 256 random bits from the OS CSPRNG, URL-safe. Only their SHA-256 is
/// stored; lookups go by hash, so the token never reaches the database or a log.
/// </summary>
public static class AccessTokens
{
    private const int TokenBytes = 32;

    public static string Create() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Cheap shape check before any lookup: rejects junk without touching the database.</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: >= 22 and <= 128 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
