using System.Globalization;

namespace Sendy.Bench;

/// <summary>
/// What the history scenario's database holds (knobs SENDY_BENCH_HISTORY_ROWS, _DAYS, _TRUCKS,
/// _FLEET; the numbers by default): <see cref="Rows"/> positions over <see cref="Days"/>
/// days ending yesterday, from <see cref="Trucks"/> trucks that each drive a 10-hour shift a day,
/// in a fleet of <see cref="Fleet"/> trucks (all with a latest position, as the dispatcher loads them).
/// A few shifts a day report every 5 s (7,200 fixes: the 10-hour deliveries whose trails are timed);
/// the rest share what is left of the day's rows.
/// </summary>
public sealed record HistoryShape(long Rows, int Days, int Trucks, int Fleet)
{
    /// <summary>Bump when the generator writes something else: a database of another version is generated again.</summary>
    public const int Version = 1;

    public static readonly TimeSpan Shift = TimeSpan.FromHours(10);

    public static readonly TimeSpan DenseInterval = TimeSpan.FromSeconds(5);

    public static int DenseFixes => (int)(Shift / DenseInterval);

    public static HistoryShape FromEnvironment()
    {
        var shape = new HistoryShape(Knob("ROWS", 50_000_000), (int)Knob("DAYS", 60), (int)Knob("TRUCKS", 2_000), (int)Knob("FLEET", 5_000));
        shape.Validate();
        return shape;
    }

    public static long Knob(string name, long fallback)
    {
        var text = Environment.GetEnvironmentVariable("SENDY_BENCH_HISTORY_" + name);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value : throw new InvalidOperationException($"SENDY_BENCH_HISTORY_{name} must be a positive whole number, not '{text}'");
    }

    public static string TruckId(int truck) => $"H-{truck:D5}";

    /// <summary>Rows of the day with index <paramref name="day"/> (0 = the oldest); the remainder goes to the first days.</summary>
    public long RowsOf(int day) => Rows / Days + (day < Rows % Days ? 1 : 0);

    /// <summary>Shifts a day that report every 5 s: up to 4, and never more than half the day's rows.</summary>
    public int DensePerDay => (int)Math.Clamp(Rows / Days / 2 / DenseFixes, 0, Math.Min(4, Trucks - 1));

    /// <summary>Whether <paramref name="truck"/> drives a dense (5 s) shift on day <paramref name="day"/>: a different few trucks each day.</summary>
    public bool IsDense(int day, int truck) => ((truck - day * DensePerDay) % Trucks + Trucks) % Trucks < DensePerDay;

    /// <summary>How many fixes <paramref name="truck"/> sends on day <paramref name="day"/>.</summary>
    public int FixesOf(int day, int truck)
    {
        if (IsDense(day, truck)) return DenseFixes;
        var sparseTrucks = Trucks - DensePerDay;
        var rest = RowsOf(day) - (long)DensePerDay * DenseFixes;
        var sparseIndex = ((truck - day * DensePerDay) % Trucks + Trucks) % Trucks - DensePerDay;
        return (int)(rest / sparseTrucks + (sparseIndex < rest % sparseTrucks ? 1 : 0));
    }

    private void Validate()
    {
        if (Days > 365) throw new InvalidOperationException("SENDY_BENCH_HISTORY_DAYS is at most 365");
        if (Fleet < Trucks) throw new InvalidOperationException("SENDY_BENCH_HISTORY_FLEET must be at least SENDY_BENCH_HISTORY_TRUCKS");
        if (DensePerDay == 0)
            throw new InvalidOperationException($"{Rows:N0} rows over {Days} days leave no room for a 10-hour delivery at 5 s ({DenseFixes:N0} fixes, at most half a day's rows)");
        if ((RowsOf(Days - 1) - (long)DensePerDay * DenseFixes) / (Trucks - DensePerDay) < 2)
            throw new InvalidOperationException($"{Rows:N0} rows over {Days} days give the {Trucks:N0} trucks fewer than 2 fixes a day: raise ROWS or lower TRUCKS");
    }
}
