using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Sendy.Console.Security;

/// <summary>
/// The reverse proxies in front of the nodes (nginx, a load balancer). Their X-Forwarded-For and
/// X-Forwarded-Proto are believed, and only theirs: with none configured (the default, also for
/// loopback) the headers are ignored and the TCP peer is the client.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "Sendy:Proxy";

    /// <summary>Proxy addresses, e.g. "10.0.1.7" or "::1".</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. "10.0.0.0/16" (an AWS load balancer's subnets).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many X-Forwarded-For entries are read from the right: the number of trusted proxies in a row.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public bool Any => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"{Section}:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"{Section}:KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/16).", [nameof(KnownNetworks)]);
    }
}
