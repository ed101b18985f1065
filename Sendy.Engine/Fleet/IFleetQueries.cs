using Sendy.Engine.Tracking;

namespace Sendy.Engine.Fleet;

/// <summary>Read side for the dispatcher map: the whole fleet, and one truck's recent path.</summary>
public interface IFleetQueries
{
    /// <summary>Every truck, with its driver, current delivery and latest position (if any), ordered by id.</summary>
    Task<IReadOnlyList<FleetTruck>> ListTrucksAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The truck's positions recorded at or after <paramref name="since"/>, oldest first, flagged fixes
    /// left out, simplified to at most <paramref name="maxPoints"/> (at least 2; first, newest and stops
    /// kept; see <see cref="SimplifiedTrail"/>).
    /// </summary>
    Task<IReadOnlyList<TrailPoint>> GetTrailAsync(string truckId, DateTimeOffset since, int maxPoints, CancellationToken cancellationToken);
}
