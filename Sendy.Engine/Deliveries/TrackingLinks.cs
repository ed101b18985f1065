using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sendy.Engine.Deliveries;

/// <summary>
/// Customer tracking links. The token is stored hashed for lookups and, for notifications that
/// must carry the link, encrypted with Data Protection under the key ring every node shares
/// (KeyRing/). The base URL is <see cref="PublicLinkOptions"/>.
/// </summary>
public sealed partial class TrackingLinks
{
    public const string MeterName = "Sendy.Links";
    private readonly IDataProtector _protector;
    private readonly ILogger<TrackingLinks> _logger;
    private readonly Counter<long> _unreadable;

    public TrackingLinks(IDataProtectionProvider protection, IOptions<PublicLinkOptions> options, IMeterFactory meters, ILogger<TrackingLinks> logger)
    {
        _protector = protection.CreateProtector("Sendy.TrackingToken.v1");
        _logger = logger;
        BaseUrl = options.Value.BaseUri();
        _unreadable = meters.Create(MeterName).CreateCounter<long>("sendy.links.unreadable", "{link}",
            "Tracking links that could not be decrypted (key ring lost or not shared); nothing was sent with them");
    }

    public Uri BaseUrl { get; }

    public string Protect(string token) => _protector.Protect(token);

    /// <summary>The customer's link for <paramref name="deliveryId"/>.</summary>
    /// <exception cref="TrackingLinkUnavailableException">The stored token cannot be decrypted with this node's key ring (logged and counted).</exception>
    public Uri LinkFor(Guid deliveryId, string? protectedToken)
    {
        if (protectedToken is null) throw Unreadable(deliveryId, "no encrypted token is stored for it", null);
        try
        {
            return new Uri(BaseUrl, "t/" + _protector.Unprotect(protectedToken));
        }
        catch (CryptographicException ex)
        {
            throw Unreadable(deliveryId, ex.Message, ex);
        }
    }

    /// <summary>The link, or null when this node cannot recover it (logged and counted by <see cref="LinkFor"/>): for answers that are worth giving without it.</summary>
    public Uri? LinkOrNull(Guid deliveryId, string? protectedToken)
    {
        try
        {
            return LinkFor(deliveryId, protectedToken);
        }
        catch (TrackingLinkUnavailableException)
        {
            return null;
        }
    }

    private TrackingLinkUnavailableException Unreadable(Guid deliveryId, string why, Exception? inner)
    {
        _unreadable.Add(1);
        LogUnreadable(deliveryId, why);
        return new TrackingLinkUnavailableException(deliveryId, why, inner);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The tracking link of delivery {DeliveryId} cannot be recovered: {Why}. Is the Data Protection key ring shared by every node (Sendy:DataProtection)?")]
    private partial void LogUnreadable(Guid deliveryId, string why);
}

/// <summary>A delivery's tracking link cannot be recovered on this node: never replaced by another URL.</summary>
public sealed class TrackingLinkUnavailableException(Guid deliveryId, string why, Exception? inner)
    : Exception($"The tracking link of delivery {deliveryId} cannot be recovered: {why}", inner)
{
    public Guid DeliveryId { get; } = deliveryId;
}
