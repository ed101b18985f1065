using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Sendy.Console.Integrations;

namespace Sendy.Console.Api;

/// <summary>
/// The <c>Idempotency-Key</c> header on bookings (IETF draft "The Idempotency-Key HTTP Header
/// Field"): a key is the caller's own (an API client's or a staff member's), and a request is
/// compared as parsed, so whitespace and property order do not make it another one.
/// </summary>
internal static class IdempotencyKeys
{
    public const int MaxLength = 255;

    public static bool IsValid(string key) => key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~' or ' ') && key.Trim().Length > 0;

    public static string Owner(ClaimsPrincipal user) =>
        user.ApiClientId() is { } client ? $"client:{client:N}" : "staff:" + (user.Identity?.Name ?? "");

    public static byte[] RequestHash<T>(T request) => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ApiJson.Options));
}
