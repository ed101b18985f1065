using Microsoft.Extensions.Options;
using Sendy.Console.Map;

namespace Sendy.Console.Security;

/// <summary>
/// Response headers every page and API answer carries. The CSP allows our own scripts, MudBlazor's
/// inline styles, the circuit's WebSocket, and images from the configured tile server — nothing more.
/// </summary>
public sealed class SecurityHeaders(IOptions<MapOptions> map)
{
    private readonly string _policy = BuildPolicy(map.Value.TileUrl);

    public string ContentSecurityPolicy => _policy;

    public void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = _policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()";
    }

    internal static string BuildPolicy(string tileUrl)
    {
        var tiles = TileSource(tileUrl);
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            $"img-src 'self' data:{(tiles is null ? "" : " " + tiles)}",
            "connect-src 'self' ws: wss:",
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
