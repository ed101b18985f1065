using System.Net;
using System.Net.Sockets;

namespace Sendy.Engine.Integrations.Webhooks;

public enum WebhookUrlProblem
{
    /// <summary>Not an absolute http(s) URL of at most <see cref="WebhookTargets.MaxUrlLength"/> characters, or it carries a user name or password.</summary>
    Invalid,

    /// <summary>http outside Development: receivers get the payloads (customers' names and addresses) over TLS only.</summary>
    HttpsRequired,

    /// <summary>The host is an address of this machine or of a private network (SSRF), and no admin allowed it.</summary>
    PrivateAddress,
}

/// <summary>
/// Where webhooks may go. Receivers are the booking systems' public endpoints; an address of this
/// machine, of a private or link-local network or otherwise not routable on the internet is
/// refused (a webhook URL must not become a way into the operator's network), when the URL is
/// given, again for every address DNS gives at connect time (<see cref="ConnectAsync"/>), and so
/// on redirects, which are not followed. An admin may allow a host by name (a receiver inside the
/// operator's network on purpose).
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    /// <summary>Checks a URL as given; the host's addresses are checked again when connecting.</summary>
    public static WebhookUrlProblem? Check(string? url, bool allowHttp, Func<string, bool> hostAllowed)
    {
        if (url is null || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo) || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.Fragment))
            return WebhookUrlProblem.Invalid;
        if (uri.Scheme == "http" && !allowHttp) return WebhookUrlProblem.HttpsRequired;
        if (!hostAllowed(uri.IdnHost) && (uri.IsLoopback || IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) && !IsPublic(ip)))
            return WebhookUrlProblem.PrivateAddress;
        return null;
    }

    /// <summary>True for an address on the public internet; false for loopback, private, link-local, shared, multicast, reserved and documentation ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return IsPublic(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] is 0 or 10 or 127 or >= 224 // this network, private, loopback, multicast and reserved (224/4, 240/4, broadcast)
                || b[0] == 100 && b[1] is >= 64 and <= 127 // shared address space (carrier-grade NAT)
                || b[0] == 169 && b[1] == 254 // link-local (cloud metadata services live here)
                || b[0] == 172 && b[1] is >= 16 and <= 31
                || b[0] == 192 && b[1] == 168
                || b[0] == 192 && b[1] == 0 && b[2] is 0 or 2 // IETF protocol assignments, TEST-NET-1
                || b[0] == 198 && b[1] is 18 or 19 // benchmarking
                || b[0] == 198 && b[1] == 51 && b[2] == 100 // TEST-NET-2
                || b[0] == 203 && b[1] == 0 && b[2] == 113); // TEST-NET-3
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)) return false;
        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b) // NAT64 (64:ff9b::/96): judge the IPv4 inside
            return IsPublic(new IPAddress(v6[12..]));
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xfe) == 0xfc // unique local fc00::/7
            || v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8 // documentation 2001:db8::/32
            || v6[0] == 0x01 && v6[1] == 0x00 && v6[2] == 0 && v6[3] == 0 && v6[4] == 0 && v6[5] == 0 && v6[6] == 0 && v6[7] == 0 // discard 100::/64
            || v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0 && v6[11] == 0); // IPv4-compatible ::a.b.c.d (deprecated)
    }

    /// <summary>
    /// The connect step of the webhook HTTP handler: resolves the host itself and connects only to
    /// public addresses (or to any address of an admin-allowed host), so a name that resolves to an
    /// internal address, or starts to after it was checked (DNS rebinding), is refused at the socket.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, Func<string, bool> hostAllowed, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = hostAllowed(endpoint.Host);
        var usable = addresses.Where(a => allowed || IsPublic(a)).ToList();
        if (usable.Count == 0)
            throw new WebhookTargetRefusedException(endpoint.Host, addresses);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. usable], endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A webhook's host resolved only to addresses webhooks may not reach.</summary>
public sealed class WebhookTargetRefusedException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"Webhook host {host} resolves to {(addresses.Count == 0 ? "nothing" : string.Join(", ", addresses))}: not a public address, and no admin allowed the host.")
{
    public string Host { get; } = host;
}
