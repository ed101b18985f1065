using System.Collections.Concurrent;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Tests.Fakes;

/// <summary>In-memory dispatcher read side: a fixed fleet and fixed trails; records trail requests.</summary>
public sealed class FakeFleetQueries : IFleetQueries
{
    public ConcurrentDictionary<string, FleetTruck> Trucks { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, IReadOnlyList<TrailPoint>> Trails { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string TruckId, DateTimeOffset Since, int MaxPoints)> TrailRequests { get; } = new();

    /// <summary>When set, listing the fleet throws this.</summary>
    public Exception? ListFailure { get; set; }

    public int ListCalls => _listCalls;

    private int _listCalls;

    public void Add(params FleetTruck[] trucks)
    {
        foreach (var t in trucks) Trucks[t.TruckId] = t;
    }

    public Task<IReadOnlyList<FleetTruck>> ListTrucksAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listCalls);
        if (ListFailure is { } failure) return Task.FromException<IReadOnlyList<FleetTruck>>(failure);
        return Task.FromResult<IReadOnlyList<FleetTruck>>(Trucks.Values.OrderBy(t => t.TruckId, StringComparer.Ordinal).ToList());
    }

    public Task<IReadOnlyList<TrailPoint>> GetTrailAsync(string truckId, DateTimeOffset since, int maxPoints, CancellationToken cancellationToken)
    {
        TrailRequests.Enqueue((truckId, since, maxPoints));
        return Task.FromResult(Trails.GetValueOrDefault(truckId) ?? []);
    }
}
