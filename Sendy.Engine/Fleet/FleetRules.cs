using System.Text.RegularExpressions;
using Sendy.Engine.Trackers;

namespace Sendy.Engine.Fleet;

/// <summary>Why an admin's change to the fleet was refused; the console words it in the admin's language.</summary>
public enum FleetError
{
    Required,
    TooLong,
    /// <summary>Truck ids are partition keys, URL segments and log fields: letters, digits, '-' and '_' only.</summary>
    BadTruckId,
    TruckIdTaken,
    DeviceIdTaken,
    /// <summary>A legacy tracker id: printable characters without spaces.</summary>
    BadDeviceId,
    UnknownTruck,
    UnknownDriver,
    /// <summary>The driver has an open delivery on their current truck: moving them would split its trail.</summary>
    DriverOnDelivery,
}

/// <summary>
/// One refused field (or "" for the whole change) and why. <see cref="Limit"/>: the length limit for
/// TooLong; <see cref="Detail"/>: the truck that already has the device id, for DeviceIdTaken.
/// </summary>
public sealed record FleetProblem(string Field, FleetError Error, int? Limit = null, string? Detail = null);

/// <summary>The outcome of an admin's change: the value, or the problems that stopped it.</summary>
public sealed record FleetResult<T>(T? Value, IReadOnlyList<FleetProblem> Problems)
{
    public bool Succeeded => Problems.Count == 0;

    public static FleetResult<T> Ok(T value) => new(value, []);

    public static FleetResult<T> Refused(params FleetProblem[] problems) => new(default, problems);
}

/// <summary>What a truck and a driver may look like; the lengths are the columns' (SendyDbContext).</summary>
public static partial class FleetRules
{
    public const int MaxTruckId = 64;
    public const int MaxName = 200;
    public const int MaxPlate = 32;
    public const int MaxDeviceId = TrackerIds.MaxLegacyLength;

    public static List<FleetProblem> CheckTruckId(string? id)
    {
        var problems = new List<FleetProblem>();
        if (string.IsNullOrWhiteSpace(id)) problems.Add(new("id", FleetError.Required));
        else if (id.Length > MaxTruckId) problems.Add(new("id", FleetError.TooLong, MaxTruckId));
        else if (!TruckIdPattern().IsMatch(id)) problems.Add(new("id", FleetError.BadTruckId));
        return problems;
    }

    /// <summary>Name (required) and plate (optional), already trimmed.</summary>
    public static List<FleetProblem> CheckTruck(string? name, string? plate)
    {
        var problems = new List<FleetProblem>();
        CheckName(problems, "name", name);
        if (plate?.Length > MaxPlate) problems.Add(new("plate", FleetError.TooLong, MaxPlate));
        return problems;
    }

    public static List<FleetProblem> CheckDriverName(string? name)
    {
        var problems = new List<FleetProblem>();
        CheckName(problems, "name", name);
        return problems;
    }

    /// <summary>Trimmed, and null when blank: optional fields store NULL rather than "".</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void CheckName(List<FleetProblem> problems, string field, string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) problems.Add(new(field, FleetError.Required));
        else if (name.Length > MaxName) problems.Add(new(field, FleetError.TooLong, MaxName));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex TruckIdPattern();
}
