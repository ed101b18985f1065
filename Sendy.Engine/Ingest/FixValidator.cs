using System.Globalization;
using Sendy.Engine.Tracking;

namespace Sendy.Engine.Ingest;

/// <summary>Checks a batch and names every bad field (RFC 9457 "errors" member shape). Batch size is the caller's 413.</summary>
public static class FixValidator
{
    public static Dictionary<string, string[]> Validate(IReadOnlyList<FixDto?>? fixes, string truckId, DateTimeOffset now,
        IngestOptions options)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (fixes is null || fixes.Count == 0)
        {
            errors["fixes"] = ["at least one fix is required"];
            return errors;
        }
        for (var i = 0; i < fixes.Count; i++)
        {
            var prefix = $"fixes[{i.ToString(CultureInfo.InvariantCulture)}]";
            var f = fixes[i];
            if (f is null)
            {
                errors[prefix] = ["must be an object"];
                continue;
            }
            if (f.TruckId is not null && !string.Equals(f.TruckId, truckId, StringComparison.Ordinal))
                errors[$"{prefix}.truckId"] = ["does not match the truck of the driver token"];
            if (f.Lat is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90)
                errors[$"{prefix}.lat"] = ["required, between -90 and 90"];
            if (f.Lon is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180)
                errors[$"{prefix}.lon"] = ["required, between -180 and 180"];
            if (f.RecordedAt is not { } at)
                errors[$"{prefix}.recordedAt"] = ["required, ISO 8601 with offset"];
            else if (at > now + options.MaxClockAhead)
                errors[$"{prefix}.recordedAt"] = ["is in the future (device clock wrong?)"];
            else if (at < now - options.MaxAge)
                errors[$"{prefix}.recordedAt"] = ["is too old"];
            if (!FixRules.IsSaneSpeed(f.Speed))
                errors[$"{prefix}.speed"] = [$"m/s, between 0 and {FixRules.MaxSpeedMps.ToString(CultureInfo.InvariantCulture)}"];
            if (!FixRules.IsSaneHeading(f.Heading))
                errors[$"{prefix}.heading"] = ["degrees, between 0 and 360"];
            if (!FixRules.IsSaneAccuracy(f.Accuracy))
                errors[$"{prefix}.accuracy"] = [$"meters, between 0 and {FixRules.MaxAccuracyMeters.ToString(CultureInfo.InvariantCulture)}"];
        }
        return errors;
    }
}
