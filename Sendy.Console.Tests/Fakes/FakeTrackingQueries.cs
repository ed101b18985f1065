using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>
/// In-memory tracking read side: tokens map to fixed answers. A token in <see cref="ExpiredTokens"/>
/// answers "expired"; trails and recent fixes are kept per delivery as given (no thinning).
/// </summary>
public sealed class FakeTrackingQueries : ITrackingQueries
{
    public ConcurrentDictionary<string, TrackingView> Deliveries { get; } = new();

    public ConcurrentDictionary<string, byte> ExpiredTokens { get; } = new();

    public ConcurrentDictionary<Guid, IReadOnlyList<TrailPoint>> Trails { get; } = new();

    public ConcurrentDictionary<Guid, IReadOnlyList<TruckPosition>> RecentFixes { get; } = new();

    public ConcurrentDictionary<string, DriverIdentity> Drivers { get; } = new();

    /// <summary>How often a trail was asked for: the page loads it once, then extends it live.</summary>
    public int TrailRequests => _trailRequests;

    private int _trailRequests;

    /// <summary>While set, link lookups wait for it: the page's loading state.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public async Task<TrackingLookup> FindByTrackingTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (Hold is { } hold)
        {
            await hold.Task;
        }

        return ExpiredTokens.ContainsKey(token) ? TrackingLookup.Expired
            : Deliveries.TryGetValue(token, out var view) ? TrackingLookup.Active(view)
            : TrackingLookup.Unknown;
    }

    public Task<IReadOnlyList<TrailPoint>> GetTrailSincePickupAsync(Guid deliveryId, int maxPoints, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _trailRequests);
        return Task.FromResult(Trails.GetValueOrDefault(deliveryId) ?? []);
    }

    public Task<IReadOnlyList<TruckPosition>> GetRecentFixesAsync(Guid deliveryId, TimeSpan window, CancellationToken cancellationToken) =>
        Task.FromResult(RecentFixes.GetValueOrDefault(deliveryId) ?? []);

    public Task<DriverIdentity?> FindDriverAsync(string token, CancellationToken cancellationToken) =>
        Task.FromResult(Drivers.GetValueOrDefault(token));
}
