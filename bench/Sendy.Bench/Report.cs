using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sendy.Bench;

/// <summary>
/// One measured figure. <see cref="Target"/> is a human-readable rule; <see cref="Ratio"/> is the value
/// over its target or over the comparison figure named in <see cref="RatioTo"/>.
/// </summary>
public sealed record Figure(
    string Name,
    double? Value,
    string Unit,
    string? Target = null,
    double? Ratio = null,
    string? RatioTo = null,
    bool? Met = null,
    string? Note = null)
{
    public static Figure NotMeasured(string name, string unit, string? target, string reason) =>
        new(name, null, unit, target, Note: "not measured: " + reason, Met: target is null ? null : false);

    /// <summary>A "higher is better" figure against a fixed floor.</summary>
    public static Figure AtLeast(string name, double value, string unit, double target, string? note = null) =>
        new(name, value, unit, $">= {Format(target)} {unit}", Round(value / target), "target", value >= target, note);

    /// <summary>A "lower is better" figure against a fixed ceiling; ratio = value / ceiling (<= 1 meets it).</summary>
    public static Figure AtMost(string name, double value, string unit, double target, string? note = null) =>
        new(name, value, unit, $"<= {Format(target)} {unit}", Round(value / target), "target", value <= target, note);

    /// <summary>A figure compared with another figure of the same run: ratio = value / other.</summary>
    public static Figure Relative(string name, double value, string unit, double other, string otherName, double minRatio, string? note = null) =>
        new(name, value, unit, $">= {Format(minRatio * 100)}% of {otherName}", Round(value / other), otherName,
            value / other >= minRatio, note);

    /// <summary>A "lower is better" figure compared with another figure of the same run: ratio = value / other (<= maxRatio meets it).</summary>
    public static Figure RelativeAtMost(string name, double value, string unit, double other, string otherName, double maxRatio, string? note = null) =>
        new(name, value, unit, $"<= {Format(maxRatio)}x {otherName}", Round(value / other), otherName, value / other <= maxRatio, note);

    /// <summary>A count that must be exactly <paramref name="expected"/> (no ratio: zero has none).</summary>
    public static Figure Exactly(string name, double value, string unit, double expected, string? note = null) =>
        new(name, value, unit, $"= {Format(expected)} {unit}", Met: value == expected, Note: note);

    /// <summary>A reference figure with no target of its own.</summary>
    public static Figure Reference(string name, double value, string unit, string? note = null) => new(name, value, unit, Note: note);

    public static double Round(double v) => Math.Round(v, v >= 100 ? 0 : 3);

    private static string Format(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

public sealed class Report
{
    private readonly List<Figure> _figures = [];
    private readonly JsonObject _settings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Add(Figure figure)
    {
        lock (_figures) _figures.Add(figure);
        var value = figure.Value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) + " " + figure.Unit : "—";
        var met = figure.Met switch { true => " [met]", false => " [NOT met]", null => "" };
        Progress.Say($"  {figure.Name}: {value}{met}{(figure.Note is { } n ? "  (" + n + ")" : "")}");
    }

    public void Setting(string key, JsonNode? value) => _settings[key] = value;

    public JsonObject ToJson(string postgresVersion)
    {
        var figures = new JsonObject();
        foreach (var f in _figures)
        {
            figures[f.Name] = new JsonObject
            {
                ["value"] = f.Value is { } v ? Figure.Round(v) : null,
                ["unit"] = f.Unit,
                ["target"] = f.Target,
                ["ratio"] = f.Ratio,
                ["ratio_to"] = f.RatioTo,
                ["met"] = f.Met,
                ["note"] = f.Note,
            };
        }
        return new JsonObject
        {
            ["benchmark"] = "sendy",
            ["finished_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["duration_s"] = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            ["git_commit"] = Environment.GetEnvironmentVariable("SENDY_BENCH_COMMIT") ?? "unknown",
            ["machine"] = Machine(postgresVersion),
            ["settings"] = _settings.DeepClone(),
            ["figures"] = figures,
            ["targets_met"] = _figures.Count(f => f.Met == true),
            ["targets_not_met"] = _figures.Count(f => f.Met == false),
        };
    }

    private static JsonObject Machine(string postgresVersion) => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        ["cpu"] = CpuModel(),
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["gc"] = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
        ["postgresql"] = postgresVersion,
    };

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Serialize(JsonObject json) => json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>Progress goes to stderr; stdout carries only the JSON document.</summary>
public static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Say(string message) =>
        System.Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {message}");
}

public static class Percentiles
{
    public static double Of(List<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
