using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Sendy.Console.Map;

namespace Sendy.Console.Security;

/// <summary>
/// Response headers every page and API answer carries. The CSP allows our own scripts, MudBlazor's
/// inline styles, this host's WebSocket (the Blazor circuit), and images from the configured tile
/// server — nothing more. The customer's and driver's pages, whose addresses are their tokens,
/// are never stored by a browser or a shared cache.
/// </summary>
public sealed class SecurityHeaders(IOptions<MapOptions> map)
{
    private readonly string _policy = BuildPolicy(map.Value.TileUrl);

    /// <summary>The policy with <c>{connect}</c> standing for this request's connect-src.</summary>
    public string ContentSecurityPolicy => _policy;

    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        var policy = _policy.Replace(ConnectPlaceholder, ConnectSources(context.Request), StringComparison.Ordinal);
        // The API reference page (Scalar) starts with an inline script that carries a fresh nonce
        // per response: that one response allows it, no other page does.
        if (context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) && nonce is string { Length: > 0 } value)
            policy = policy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{value}'", StringComparison.Ordinal);
        headers.ContentSecurityPolicy = policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()";
        if (IsTokenPage(context.Request.Path)) headers.CacheControl = "no-store";
    }

    /// <summary><c>/t/{token}</c> (customer) and <c>/d/{token}</c> (driver): the token is in the address.</summary>
    internal static bool IsTokenPage(PathString path) =>
        path.StartsWithSegments("/t", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/d", StringComparison.OrdinalIgnoreCase);

    private const string ConnectPlaceholder = "{connect}";

    /// <summary>
    /// 'self' plus the WebSocket of the host the browser asked for (behind a known proxy, the
    /// forwarded host and scheme): Blazor's circuit connects there, its long-polling fallback is
    /// 'self'. Browsers that match ws: against 'self' (CSP 3) need nothing more; older ones need the
    /// explicit source. A host with characters a source may not hold gets 'self' alone.
    /// </summary>
    internal static string ConnectSources(HttpRequest request)
    {
        var host = request.Host.Value;
        if (string.IsNullOrEmpty(host) || !host.All(IsHostChar)) return "'self'";
        return $"'self' {(request.IsHttps ? "wss" : "ws")}://{host}";

        static bool IsHostChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']';
    }

    internal static string BuildPolicy(string tileUrl)
    {
        var tiles = TileSource(tileUrl);
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            $"img-src 'self' data:{(tiles is null ? "" : " " + tiles)}",
            $"connect-src {ConnectPlaceholder}",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    }

    /// <summary>The tile server's origin as a CSP source: "{s}.tile.example" subdomain templates become "*.tile.example".</summary>
    internal static string? TileSource(string tileUrl)
    {
        if (string.IsNullOrWhiteSpace(tileUrl) || tileUrl.StartsWith('/')) return null;
        var schemeEnd = tileUrl.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return null;
        var rest = tileUrl[(schemeEnd + 3)..];
        var host = rest.Split('/')[0];
        host = host.Replace("{s}", "*", StringComparison.Ordinal);
        return host.Contains('{') ? null : $"{tileUrl[..schemeEnd]}://{host}";
    }
}
