using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>In-memory tracking read side: tokens map to fixed answers.</summary>
public sealed class FakeTrackingQueries : ITrackingQueries
{
    public ConcurrentDictionary<string, TrackingView> Deliveries { get; } = new();

    public ConcurrentDictionary<string, DriverIdentity> Drivers { get; } = new();

    public Task<TrackingView?> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken) =>
        Task.FromResult(Deliveries.GetValueOrDefault(token));

    public Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken) =>
        Task.FromResult(Drivers.GetValueOrDefault(token));
}
