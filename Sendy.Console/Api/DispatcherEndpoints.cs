using System.Text.Json.Serialization;
using Sendy.Console.Integrations;
using Sendy.Engine.Deliveries;

namespace Sendy.Console.Api;

/// <summary>Staff and API client actions on deliveries; each mapped behind its scope's policy (see <see cref="DeliveriesApi"/>).</summary>
internal static class DispatcherEndpoints
{
    public sealed record PlaceDto(string? Address, double? Lat, double? Lon);

    public sealed record FareDto(decimal? Amount, string? Currency);

    public sealed record BookDto(
        string? CustomerName, string? CustomerEmail, string? CustomerPhone, string? Locale,
        PlaceDto? Pickup, PlaceDto? Dropoff, DateTimeOffset? PromisedTo,
        Guid? ShipperId = null, DateTimeOffset? PromisedFrom = null, FareDto? Fare = null, string? ExternalReference = null,
        IReadOnlyList<string>? NotifyBy = null);

    public sealed record AssignDto(Guid? DriverId);

    public sealed record CancelDto(string? Reason, string? IdempotencyKey);

    public sealed record BookedDto(
        [property: JsonPropertyName("id")] Guid Id,
        [property: JsonPropertyName("trackingToken")] string TrackingToken,
        [property: JsonPropertyName("trackingLink")] string TrackingLink);

    public static async Task<IResult> BookAsync(HttpContext http, DeliveryBookingService bookings, TrackingLinks links, CancellationToken cancellationToken)
    {
        if (StatusValidation.ActorProblem(http) is { } actor) return actor;
        var body = await ApiJson.ReadAsync<BookDto>(http.Request, 16 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var dto = body.Value!;
        var (pickup, dropoff) = (Input(dto.Pickup), Input(dto.Dropoff));
        var errors = BookingValidation.Validate(dto.CustomerName, dto.CustomerEmail, dto.CustomerPhone, dto.Locale, pickup, dropoff).ToList();
        BookingValidation.Add(errors, "promisedFrom", BookingValidation.Window(dto.PromisedFrom, dto.PromisedTo));
        BookingValidation.Add(errors, "externalReference", BookingValidation.ExternalReference(dto.ExternalReference));
        errors.AddRange(BookingValidation.Fare(dto.Fare?.Amount, dto.Fare?.Currency));
        errors.AddRange(BookingValidation.Channels(dto.NotifyBy));
        if (errors.Count > 0) return Invalid(errors);

        var booking = new NewDelivery(dto.CustomerName!, dto.CustomerEmail, dto.CustomerPhone, dto.Locale,
            BookingValidation.ToGeoAddress(pickup!), BookingValidation.ToGeoAddress(dropoff!), dto.PromisedTo)
        {
            ShipperId = dto.ShipperId, PromisedFrom = dto.PromisedFrom, ExternalReference = dto.ExternalReference, NotifyBy = dto.NotifyBy,
            Fare = dto.Fare is { Amount: { } amount, Currency: { } currency } ? new Money(amount, currency) : null,
            ApiClientId = http.User.ApiClientId(),
        };
        var result = await bookings.TryBookAsync(booking, http.User.Actor(), cancellationToken);
        if (result.Refusal == BookingRefusal.UnknownShipper) return Invalid([new BookingError("shipperId", BookingRule.UnknownShipper)]);
        if (result.Refusal == BookingRefusal.ExternalReferenceTaken)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "External reference already used",
                detail: "This client already booked a delivery with this externalReference; read it instead of booking again.",
                extensions: new Dictionary<string, object?> { ["deliveryId"] = result.ExistingId });
        var booked = result.Booked!;
        return Results.Json(new BookedDto(booked.Id, booked.TrackingToken, new Uri(links.BaseUrl, "t/" + booked.TrackingToken).ToString()),
            statusCode: StatusCodes.Status201Created);
    }

    private static IResult Invalid(IEnumerable<BookingError> errors) =>
        Results.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => BookingValidation.English(e.Rule)).ToArray()),
            title: "The delivery is invalid");

    public static async Task<IResult> AssignAsync(Guid id, HttpContext http, DeliveryBookingService bookings, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        if (StatusValidation.ActorProblem(http) is { } actor) return actor;
        var body = await ApiJson.ReadAsync<AssignDto>(http.Request, 4 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        if (body.Value!.DriverId is not { } driverId)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["driverId"] = ["is required"] });
        return await bookings.AssignAsync(id, driverId, http.User.Actor(), cancellationToken) switch
        {
            AssignOutcome.Assigned => Results.Json(await queries.GetAsync(id, cancellationToken)),
            AssignOutcome.NotFound => Results.Problem(statusCode: 404, title: "Delivery not found"),
            AssignOutcome.UnknownDriver => Results.ValidationProblem(new Dictionary<string, string[]> { ["driverId"] = ["is not a known driver"] }),
            _ => Results.Problem(statusCode: 409, title: "Delivery closed", detail: "A delivered, cancelled or failed delivery cannot be reassigned."),
        };
    }

    public static async Task<IResult> CancelAsync(Guid id, HttpContext http, DeliveryStatusService statuses, CancellationToken cancellationToken)
    {
        if (StatusValidation.ActorProblem(http) is { } actor) return actor;
        var body = await ApiJson.ReadAsync<CancelDto>(http.Request, 4 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var errors = StatusValidation.Validate(nameof(DeliveryStatus.Cancelled), null, body.Value!.Reason, body.Value.IdempotencyKey, out _);
        if (errors.Count > 0) return Results.ValidationProblem(errors);
        var result = await statuses.ChangeAsync(new StatusChangeRequest(id, DeliveryStatus.Cancelled,
            http.User.Actor(), body.Value.IdempotencyKey!, Reason: body.Value.Reason), cancellationToken);
        return DeliveriesApi.ToHttp(result, DeliveryStatus.Cancelled);
    }

    public static async Task<IResult> ListAsync(string? status, int? limit, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        DeliveryStatus? filter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<DeliveryStatus>(status, out var s) || int.TryParse(status, out _))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["is not a delivery status"] });
            filter = s;
        }
        return Results.Json(await queries.ListAsync(filter, Math.Clamp(limit ?? 100, 1, 500), cancellationToken));
    }

    public static async Task<IResult> GetAsync(Guid id, DeliveryQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } view ? Results.Json(view) : Results.Problem(statusCode: 404, title: "Delivery not found");

    private static PlaceInput? Input(PlaceDto? p) => p is null ? null : new PlaceInput(p.Address, p.Lat, p.Lon);
}
