using System.Text.Json.Serialization;
using Sendy.Console.Integrations;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Tracking;

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

    public sealed record TrailView(IReadOnlyList<TrailPoint> Points);

    public const string IdempotencyHeader = "Idempotency-Key";

    public static async Task<IResult> BookAsync(HttpContext http, DeliveryBookingService bookings, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        var idempotencyKey = http.Request.Headers.TryGetValue(IdempotencyHeader, out var sent) ? sent.ToString() : null;
        if (idempotencyKey is not null && !IdempotencyKeys.IsValid(idempotencyKey))
            return Results.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyHeader] = [$"must be 1 to {IdempotencyKeys.MaxLength} printable ASCII characters"] },
                title: "The delivery is invalid");
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
            Idempotency = idempotencyKey is null ? null
                : new BookingIdempotency(IdempotencyKeys.Owner(http.User), idempotencyKey, IdempotencyKeys.RequestHash(dto)),
        };
        var result = await bookings.TryBookAsync(booking, http.User.Actor(), cancellationToken);
        if (result is { Replayed: true, ExistingId: { } replayed })
            return await Found(queries, replayed, cancellationToken); // the same key and request again: the same delivery, as it is now
        if (result.Refusal == BookingRefusal.IdempotencyKeyReused)
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused",
                detail: "This Idempotency-Key came with a different booking; send a new key for a new booking.",
                extensions: new Dictionary<string, object?> { ["deliveryId"] = result.ExistingId });
        if (result.Refusal == BookingRefusal.UnknownShipper) return Invalid([new BookingError("shipperId", BookingRule.UnknownShipper)]);
        if (result.Refusal == BookingRefusal.ExternalReferenceTaken)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "External reference already used",
                detail: "This client already booked a delivery with this externalReference; read it instead of booking again.",
                extensions: new Dictionary<string, object?> { ["deliveryId"] = result.ExistingId });
        var booked = result.Booked!;
        var created = booked is { Written: { } row, Booked: { } first } ? queries.ViewOf(row, [first]) : await queries.GetAsync(booked.Id, cancellationToken);
        return Results.Created($"/api/v1/deliveries/{booked.Id}", created);
    }

    private static async Task<IResult> Found(DeliveryQueries queries, Guid id, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } view ? Results.Json(view) : NotFound();

    private static IResult NotFound() => Results.Problem(statusCode: 404, title: "Delivery not found");

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

    /// <summary>Largest page of the list.</summary>
    public const int MaxPage = 500;

    /// <summary>
    /// The deliveries in the order they last changed (<c>updatedAt</c>, then id), a page at a time:
    /// <c>nextCursor</c> fetches the next page and is null on the last one. Filters: status,
    /// shipperId, updatedSince, externalReference (an API client sees its own references).
    /// </summary>
    public static async Task<IResult> ListAsync(HttpContext http, string? status, Guid? shipperId, DateTimeOffset? updatedSince,
        string? externalReference, int? limit, string? cursor, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        DeliveryStatus? filter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<DeliveryStatus>(status, out var s) || !Enum.IsDefined(s) || int.TryParse(status, out _))
                errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<DeliveryStatus>())}"];
            else filter = s;
        }
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"must be 1 to {MaxPage}"];
        DeliveryCursor? after = null;
        if (cursor is not null)
        {
            if (DeliveryCursor.TryParse(cursor, out var c)) after = c;
            else errors["cursor"] = ["is not a cursor this list gave out"];
        }
        if (BookingValidation.ExternalReference(externalReference) is { } rule) errors["externalReference"] = [BookingValidation.English(rule)];
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The list request is invalid");
        var page = await queries.ListAsync(new DeliveryListFilter(filter, shipperId, updatedSince, externalReference,
            externalReference is null ? null : http.User.ApiClientId()), after, limit ?? 100, cancellationToken);
        return Results.Json(page);
    }

    public static async Task<IResult> GetAsync(Guid id, DeliveryQueries queries, CancellationToken cancellationToken) =>
        await Found(queries, id, cancellationToken);

    /// <summary>An API client's delivery by its own <c>externalReference</c>; staff find the one delivery carrying it.</summary>
    public static async Task<IResult> ByReferenceAsync(string externalReference, HttpContext http, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        if (BookingValidation.ExternalReference(externalReference) is { } rule)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["externalReference"] = [BookingValidation.English(rule)] });
        return await queries.ByReferenceAsync(externalReference, http.User.ApiClientId(), cancellationToken) is { } view ? Results.Json(view) : NotFound();
    }

    /// <summary>The truck's newest fix while the delivery is open (204 when there is none to show).</summary>
    public static async Task<IResult> PositionAsync(Guid id, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        var (found, position) = await queries.LatestPositionAsync(id, cancellationToken);
        if (!found) return NotFound();
        return position is null ? Results.NoContent() : Results.Json(position);
    }

    /// <summary>Largest trail the API returns.</summary>
    public const int MaxTrailPoints = 2_000;

    /// <summary>
    /// The delivery's trail since pickup (flagged fixes left out), simplified in the database to at most
    /// <c>maxPoints</c> (first, newest and stops kept).
    /// </summary>
    public static async Task<IResult> TrailAsync(Guid id, int? maxPoints, DeliveryQueries queries, ITrackingQueries tracking, CancellationToken cancellationToken)
    {
        if (maxPoints is < 2 or > MaxTrailPoints)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["maxPoints"] = [$"must be 2 to {MaxTrailPoints}"] });
        if (!await queries.ExistsAsync(id, cancellationToken)) return NotFound();
        var points = await tracking.GetTrailSincePickupAsync(id, maxPoints ?? 500, cancellationToken);
        return Results.Json(new TrailView(points));
    }

    private static PlaceInput? Input(PlaceDto? p) => p is null ? null : new PlaceInput(p.Address, p.Lat, p.Lon);
}
