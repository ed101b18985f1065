using System.Security.Cryptography;
using System.Text;

namespace Sendy.Engine.Trackers;

/// <summary>
/// Tracker device ids (the OsmAnd protocol's <c>id</c>). Sendy issues them as secrets: 26 characters
/// of lowercase Crockford base32 (130 random bits from the OS CSPRNG), easy to read aloud and to type
/// into Traccar Client, safe in a URL. Only their SHA-256 is stored; a lookup goes by hash.
/// A "legacy" id is one an admin typed (a tracker that cannot take ours, Traccar Client's 6-digit
/// default): it works only on a truck marked so, and the fleet page warns about it.
/// </summary>
public static class TrackerIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    public const int IssuedLength = 26;
    public const int MaxLegacyLength = 128;

    public static string Create() => RandomNumberGenerator.GetString(Alphabet, IssuedLength);

    public static byte[] Hash(string deviceId) => SHA256.HashData(Encoding.UTF8.GetBytes(deviceId));

    /// <summary>The first 8 hex digits of the id's hash: enough to tell ids apart in a list, nothing to guess from.</summary>
    public static string HashPrefix(string deviceId) => Convert.ToHexStringLower(Hash(deviceId), 0, 4);

    /// <summary>A legacy id an admin may type: 1 to 128 printable characters without spaces.</summary>
    public static bool IsAcceptableLegacy(string? deviceId) =>
        deviceId is { Length: > 0 and <= MaxLegacyLength } && deviceId.All(c => c > ' ' && c != '\u007f' && !char.IsWhiteSpace(c) && !char.IsControl(c));
}
