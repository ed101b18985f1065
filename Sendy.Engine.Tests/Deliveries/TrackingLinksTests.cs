using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tests.Infrastructure;

namespace Sendy.Engine.Tests.Deliveries;

/// <summary>A link this node cannot decrypt is an error, logged and counted: never another URL.</summary>
public sealed class TrackingLinksTests
{
    private static readonly Guid DeliveryId = Guid.NewGuid();

    [Fact]
    public void a_protected_token_opens_to_the_customers_link()
    {
        using var node = new Node(new EphemeralDataProtectionProvider());
        Assert.Equal(new Uri("https://track.example/t/abc"), node.Links.LinkFor(DeliveryId, node.Links.Protect("abc")));
        Assert.Equal(0, node.Unreadable);
    }

    [Fact]
    public void a_token_from_another_key_ring_is_refused_logged_and_counted()
    {
        using var other = new Node(new EphemeralDataProtectionProvider());
        using var node = new Node(new EphemeralDataProtectionProvider());

        var error = Assert.Throws<TrackingLinkUnavailableException>(() => node.Links.LinkFor(DeliveryId, other.Links.Protect("abc")));

        Assert.Equal(DeliveryId, error.DeliveryId);
        Assert.Equal(1, node.Unreadable);
        Assert.Equal(1, node.Logs.Count("LogUnreadable", e =>
            e.Message.Contains(DeliveryId.ToString(), StringComparison.Ordinal) && e.Message.Contains("Sendy:DataProtection", StringComparison.Ordinal)));
    }

    [Fact]
    public void a_delivery_without_a_stored_token_has_no_link_either()
    {
        using var node = new Node(new EphemeralDataProtectionProvider());
        Assert.Throws<TrackingLinkUnavailableException>(() => node.Links.LinkFor(DeliveryId, null));
        Assert.Equal(1, node.Unreadable);
    }

    private sealed class Node : IDisposable
    {
        private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private int _unreadable;

        public Node(IDataProtectionProvider protection)
        {
            var factory = _meters.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "sendy.links.unreadable") Interlocked.Add(ref _unreadable, (int)value);
            });
            _listener.Start();
            Links = new TrackingLinks(protection, Options.Create(new PublicLinkOptions { PublicBaseUrl = "https://track.example" }),
                factory, Logs.CreateLogger<TrackingLinks>());
        }

        public RecordingLoggerFactory Logs { get; } = new();

        public TrackingLinks Links { get; }

        public int Unreadable => Volatile.Read(ref _unreadable);

        public void Dispose()
        {
            _listener.Dispose();
            _meters.Dispose();
        }
    }
}
