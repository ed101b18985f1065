using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendy.Engine.Deliveries;

namespace Sendy.Engine.Tests.Infrastructure;

/// <summary>Tracking links on a key ring of their own (ephemeral), for tests that only need links made.</summary>
public static class TestLinks
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static TrackingLinks Create() =>
        new(new EphemeralDataProtectionProvider(), Options.Create(new PublicLinkOptions()), Meters, NullLogger<TrackingLinks>.Instance);
}
