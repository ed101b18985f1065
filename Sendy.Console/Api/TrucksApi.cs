using System.Text.Json;
using Sendy.Console.Staff;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Fleet;

namespace Sendy.Console.Api;

/// <summary>
/// Admin: a truck's tracker device id (OsmAnd "id"). <c>POST</c> issues a new secret id (shown once,
/// with the set-up URL Traccar Client reads from a QR code; the old id stops at once); <c>PUT</c> with
/// <c>{"legacyId": "..."}</c> registers an id typed by hand, marked legacy; <c>DELETE</c> removes it.
/// </summary>
public static class TrucksApi
{
    public static RouteGroupBuilder MapTrucksApi(this RouteGroupBuilder api)
    {
        var device = api.MapGroup("/trucks/{truckId}/device").RequireAuthorization(StaffServiceCollectionExtensions.AdminPolicy);
        device.MapPost("/", IssueAsync).WithName("IssueTruckDeviceId");
        device.MapPut("/", SetLegacyAsync).WithName("SetTruckLegacyDeviceId");
        device.MapDelete("/", RemoveAsync).WithName("RemoveTruckDeviceId");
        return api;
    }

    private sealed record LegacyDto(string? LegacyId, string? DeviceId);

    /// <summary>The URL a tracker app is set up with (Traccar Client takes server and id from it, typed or scanned).</summary>
    public static Uri SetupUri(Uri publicBase, string deviceId) => new(publicBase, "osmand?id=" + Uri.EscapeDataString(deviceId));

    private static async Task<IResult> IssueAsync(string truckId, FleetAdmin fleet, TrackingLinks links, CancellationToken cancellationToken)
    {
        var issued = await fleet.IssueTrackerIdAsync(truckId, cancellationToken);
        return issued.Succeeded
            ? Results.Ok(new { truckId, deviceId = issued.Value, legacy = false, setupUrl = SetupUri(links.BaseUrl, issued.Value!).ToString() })
            : Problem(issued.Problems);
    }

    private static async Task<IResult> SetLegacyAsync(string truckId, HttpRequest request, FleetAdmin fleet, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadLimitedAsync(request, 4096, cancellationToken);
        if (body is null) return Results.Problem(statusCode: 413, title: "Request too large");
        LegacyDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<LegacyDto>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["expected {\"legacyId\": \"...\"}"] });
        }
        if (dto?.LegacyId is null)
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["legacyId"] = [dto?.DeviceId is null
                    ? "required; or POST to this URL to have Sendy issue a secret id"
                    : "device ids are issued by Sendy (POST to this URL); an id typed by hand goes in legacyId and is marked legacy"],
            });
        var set = await fleet.SetLegacyTrackerIdAsync(truckId, dto.LegacyId, cancellationToken);
        return set.Succeeded ? Results.Ok(new { truckId, deviceId = set.Value, legacy = true }) : Problem(set.Problems, "legacyId");
    }

    private static async Task<IResult> RemoveAsync(string truckId, FleetAdmin fleet, CancellationToken cancellationToken)
    {
        var removed = await fleet.RemoveTrackerIdAsync(truckId, cancellationToken);
        return removed.Succeeded ? Results.NoContent() : Problem(removed.Problems);
    }

    private static IResult Problem(IReadOnlyList<FleetProblem> problems, string deviceField = "deviceId")
    {
        if (problems.Any(p => p.Error == FleetError.UnknownTruck)) return Results.Problem(statusCode: 404, title: "Unknown truck");
        if (problems.FirstOrDefault(p => p.Error == FleetError.DeviceIdTaken) is { } taken)
            return Results.Problem(statusCode: 409, title: "Device already registered", detail: $"This device id belongs to truck {taken.Detail}.");
        return Results.ValidationProblem(problems.GroupBy(p => p.Field == "deviceId" ? deviceField : p.Field)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Error switch
            {
                FleetError.Required => "required",
                FleetError.TooLong => $"at most {p.Limit} characters",
                FleetError.BadDeviceId => "printable characters without spaces",
                _ => p.Error.ToString(),
            }).ToArray()));
    }
}
