using System.Text.Json;
using Sendy.Console.Staff;
using Sendy.Engine.Fleet;
using Sendy.Engine.Ingest;

namespace Sendy.Console.Api;

/// <summary>Admin: register the tracker device id (OsmAnd "id") of a truck.</summary>
public static class TrucksApi
{
    public static RouteGroupBuilder MapTrucksApi(this RouteGroupBuilder api)
    {
        api.MapPut("/trucks/{truckId}/device", SetDeviceAsync).RequireAuthorization(StaffServiceCollectionExtensions.AdminPolicy)
            .WithName("SetTruckDevice");
        return api;
    }

    private sealed record DeviceDto(string? DeviceId);

    private static async Task<IResult> SetDeviceAsync(string truckId, HttpRequest request, FleetRegistry fleet, DeviceDirectory devices,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadLimitedAsync(request, 4096, cancellationToken);
        string? deviceId;
        try
        {
            deviceId = body is null ? null : JsonSerializer.Deserialize<DeviceDto>(body, JsonSerializerOptions.Web)?.DeviceId?.Trim();
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["expected {\"deviceId\": \"...\"}"] });
        }
        if (deviceId is not null && (deviceId.Length is 0 or > 128))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["deviceId"] = ["1 to 128 characters, or null to clear"] });
        try
        {
            if (!await fleet.SetDeviceAsync(truckId, deviceId, cancellationToken))
                return Results.Problem(statusCode: 404, title: "Unknown truck");
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            return Results.Problem(statusCode: 409, title: "Device already registered", detail: "This device id belongs to another truck.");
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == "23505")
        {
            return Results.Problem(statusCode: 409, title: "Device already registered", detail: "This device id belongs to another truck.");
        }
        if (deviceId is not null) devices.Forget(deviceId);
        return Results.Ok(new { truckId, deviceId });
    }
}
