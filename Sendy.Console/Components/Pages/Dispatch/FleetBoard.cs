using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Components.Pages.Dispatch;

public enum TruckState
{
    Moving,
    Stopped,
    /// <summary>No fix for longer than the stale threshold, or none at all.</summary>
    Stale,
}

/// <summary>Which trucks the side list shows.</summary>
public enum FleetFilter
{
    All,
    Moving,
    Stopped,
    Stale,
}

/// <summary>Which trucks the delivery filter shows: all, those without a delivery, or those whose delivery is in one status.</summary>
public readonly record struct DeliveryFilter
{
    private DeliveryFilter(bool active, DeliveryStatus? status) => (Active, Status) = (active, status);

    public static DeliveryFilter Any => default;

    public static DeliveryFilter WithoutDelivery { get; } = new(true, null);

    public static DeliveryFilter In(DeliveryStatus status) => new(true, status);

    /// <summary>False: every truck is shown.</summary>
    public bool Active { get; }

    /// <summary>The status shown; null (when active) shows trucks without a delivery.</summary>
    public DeliveryStatus? Status { get; }

    public bool Matches(CurrentDelivery? delivery) => !Active || delivery?.Status == Status;
}

/// <summary>One truck on the board: what the fleet query said, plus the newest live fix.</summary>
public sealed class BoardTruck(FleetTruck truck)
{
    public FleetTruck Info { get; set; } = truck;

    public string Id => Info.TruckId;

    public TruckPosition? Position { get; set; } = truck.LatestPosition;

    public TruckState State { get; set; } = TruckState.Stale;

    /// <summary>When the fix was taken; a device clock running ahead is capped at when we received it.</summary>
    public DateTimeOffset? TakenAt => Position is { } p ? TakenAtOf(p) : null;

    internal static DateTimeOffset TakenAtOf(TruckPosition p) => p.RecordedAt < p.ReceivedAt ? p.RecordedAt : p.ReceivedAt;
}

public readonly record struct FleetCounts(int All, int Moving, int Stopped, int Stale)
{
    public int this[FleetFilter filter] => filter switch
    {
        FleetFilter.Moving => Moving,
        FleetFilter.Stopped => Stopped,
        FleetFilter.Stale => Stale,
        _ => All,
    };
}

/// <summary>
/// The dispatcher's in-memory picture of the fleet. Live fixes land here as they come (cheap:
/// a dictionary write); states, counts and the filtered list are recomputed only by
/// <see cref="Refresh"/>, on a timer, so thousands of fixes a second never re-render the list.
/// Not thread-safe: the page touches it only on its renderer's context.
/// </summary>
public sealed class FleetBoard(DispatchOptions options)
{
    private readonly Dictionary<string, BoardTruck> _trucks = new(StringComparer.Ordinal);
    private List<BoardTruck> _sorted = [];

    /// <summary>The trucks the list shows (a collection, as Virtualize wants one).</summary>
    public System.Collections.ObjectModel.ReadOnlyCollection<BoardTruck> Visible { get; private set; } = new([]);

    public FleetCounts Counts { get; private set; }

    public FleetFilter Filter { get; set; }

    public string Search { get; set; } = "";

    public DeliveryFilter Delivery { get; set; }

    /// <summary>Delivery statuses present in the fleet, in the order a delivery moves, for the filter menu.</summary>
    public IReadOnlyList<DeliveryStatus> DeliveryStatuses { get; private set; } = [];

    public int Count => _trucks.Count;

    public BoardTruck? Find(string truckId) => _trucks.GetValueOrDefault(truckId);

    public IEnumerable<BoardTruck> All => _sorted;

    /// <summary>Replaces the fleet; live positions already newer than the query's are kept.</summary>
    public void Load(IEnumerable<FleetTruck> trucks)
    {
        var previous = new Dictionary<string, BoardTruck>(_trucks, StringComparer.Ordinal);
        _trucks.Clear();
        foreach (var truck in trucks)
        {
            var entry = new BoardTruck(truck);
            if (previous.TryGetValue(truck.TruckId, out var seen) && seen.Position is { } live)
                Apply(entry, live);
            _trucks[truck.TruckId] = entry;
        }
        _sorted = _trucks.Values
            .OrderBy(t => t.Info.Name, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();
        DeliveryStatuses = _trucks.Values.Select(t => t.Info.Delivery?.Status).OfType<DeliveryStatus>().Distinct().Order().ToList();
    }

    /// <summary>Takes a live fix; false when the truck is unknown or the fix is older than the one held.</summary>
    public bool Apply(TruckPosition position) =>
        _trucks.TryGetValue(position.TruckId, out var truck) && Apply(truck, position);

    private static bool Apply(BoardTruck truck, TruckPosition position)
    {
        if (truck.Position is { } held && held.RecordedAt > position.RecordedAt) return false;
        truck.Position = position;
        return true;
    }

    public TruckState StateOf(BoardTruck truck, DateTimeOffset now)
    {
        if (truck.TakenAt is not { } takenAt || now - takenAt > options.StaleAfter) return TruckState.Stale;
        return truck.Position!.SpeedMps is { } speed && speed >= options.MovingSpeedMps ? TruckState.Moving : TruckState.Stopped;
    }

    /// <summary>Recomputes every truck's state, the counts and the visible list as of <paramref name="now"/>.</summary>
    public void Refresh(DateTimeOffset now)
    {
        int moving = 0, stopped = 0, stale = 0;
        foreach (var truck in _sorted)
        {
            truck.State = StateOf(truck, now);
            switch (truck.State)
            {
                case TruckState.Moving: moving++; break;
                case TruckState.Stopped: stopped++; break;
                default: stale++; break;
            }
        }
        Counts = new FleetCounts(_sorted.Count, moving, stopped, stale);
        ApplyFilter();
    }

    /// <summary>Recomputes the visible list only (filter or search changed; states as of the last refresh).</summary>
    public void ApplyFilter()
    {
        var terms = Search.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Visible = _sorted.Where(t => MatchesFilter(t) && Delivery.Matches(t.Info.Delivery) && terms.All(term => Matches(t.Info, term))).ToList().AsReadOnly();
    }

    private bool MatchesFilter(BoardTruck t) => Filter switch
    {
        FleetFilter.Moving => t.State == TruckState.Moving,
        FleetFilter.Stopped => t.State == TruckState.Stopped,
        FleetFilter.Stale => t.State == TruckState.Stale,
        _ => true,
    };

    private static bool Matches(FleetTruck t, string term) =>
        Contains(t.TruckId, term) || Contains(t.Name, term) || Contains(t.Plate, term) || Contains(t.DriverName, term)
        // Plates are written with and without spaces ("서울12가3456"): compare them without.
        || (t.Plate is not null && Contains(t.Plate.Replace(" ", "", StringComparison.Ordinal), term.Replace(" ", "", StringComparison.Ordinal)));

    private static bool Contains(string? value, string term) =>
        value is not null && value.Contains(term, StringComparison.CurrentCultureIgnoreCase);
}
