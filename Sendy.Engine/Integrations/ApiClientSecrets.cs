using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Integrations;

/// <summary>
/// API client secrets: <c>sendy_sk_</c> and 43 base62 characters (256 random bits). The prefix sets
/// them apart from driver and tracking tokens (plain base64url) at a glance, lets the API route a
/// bearer token to the right check without a lookup, and gives secret scanners a pattern
/// (<c>sendy_sk_[0-9A-Za-z]{43}</c>). Only the SHA-256 is stored: the secret is high-entropy, so a
/// slow password hash would buy nothing and cost every request.
/// </summary>
public static class ApiClientSecrets
{
    public const string Prefix = "sendy_sk_";
    private const int RandomLength = 43;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Create() => Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>What is stored and looked up: the same SHA-256 as every other token (<see cref="Security.AccessTokens.Hash"/>).</summary>
    public static byte[] Hash(string secret) => Security.AccessTokens.Hash(secret);

    /// <summary>A bearer token meant as an API key (right or wrong): it carries the prefix.</summary>
    public static bool HasPrefix(string? token) => token is not null && token.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The exact shape of a secret, checked before any lookup.</summary>
    public static bool LooksValid(string? token) =>
        HasPrefix(token) && token!.Length == Prefix.Length + RandomLength && token.AsSpan(Prefix.Length).ContainsAnyExcept(AlphabetValues) is false;

    /// <summary>What the admin page shows of a key: enough to recognise it, far too little to use it.</summary>
    public static string Hint(string secret) => secret[..(Prefix.Length + 4)] + "…";

    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);
}
