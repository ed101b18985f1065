using System.Text.Json.Serialization;
using Sendy.Console.Integrations;
using Sendy.Engine.Deliveries;
using Sendy.Engine.Integrations;
using Sendy.Engine.Ingest;
using Sendy.Engine.Tracking;

namespace Sendy.Console.Api;

/// <summary>
/// Deliveries. Driver endpoints take the driver token as a bearer token:
/// <c>POST /deliveries/{id}/status</c> (only the assigned driver; 201 new, 200 replay of the same
/// idempotency key, 409 refused transition, 400 validation) and <c>GET /driver/deliveries/current</c>.
/// Booking endpoints (<c>POST /deliveries</c>, <c>POST /deliveries/{id}/assignment</c>,
/// <c>POST /deliveries/{id}/cancel</c>: <c>deliveries:write</c>; <c>GET /deliveries</c>,
/// <c>GET /deliveries/{id}</c>: <c>deliveries:read</c>) take a signed-in dispatcher or admin, or an
/// API client with the scope: 401 without either, 403 for a key without the scope.
/// </summary>
public static class DeliveriesApi
{
    public static RouteGroupBuilder MapDeliveriesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/deliveries/{id:guid}/status", PostStatusAsync).WithName("PostDeliveryStatus").WithTags("Driver").WithDriverTokenAuth()
            .WithSummary("Change a delivery's status (the assigned driver)")
            .Accepts<StatusChangeDto>("application/json")
            .Produces<StatusEventView>(StatusCodes.Status201Created).Produces<StatusEventView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        api.MapGet("/driver/deliveries/current", GetCurrentAsync).WithName("GetDriverCurrentDelivery").WithTags("Driver").WithDriverTokenAuth()
            .WithSummary("The driver's current delivery (204 when there is none)")
            .Produces<DriverDeliveryView>().Produces(StatusCodes.Status204NoContent).ProducesProblem(401);

        // Staff (signed in) and API clients (by scope) share these.
        var deliveries = api.MapGroup("/deliveries").WithTags("Deliveries");
        var write = ApiAccess.Policy(ApiScopes.DeliveriesWrite);
        var read = ApiAccess.Policy(ApiScopes.DeliveriesRead);
        var positions = ApiAccess.Policy(ApiScopes.PositionsRead);
        deliveries.MapPost("/", DispatcherEndpoints.BookAsync).WithName("BookDelivery").RequireAuthorization(write)
            .WithSummary("Book a delivery")
            .WithDescription("201 with the new delivery and its Location; with an Idempotency-Key header, the same key and "
                + "request again answer 200 with the delivery as it is now, the same key with another request 422.")
            .Accepts<DispatcherEndpoints.BookDto>("application/json")
            .Produces<DeliveryView>(StatusCodes.Status201Created).Produces<DeliveryView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422)
            .AddOpenApiOperationTransformer(ApiDocs.ApiDocsExamples.IdempotencyKeyHeaderAsync);
        deliveries.MapPost("/{id:guid}/assignment", DispatcherEndpoints.AssignAsync).WithName("AssignDelivery").RequireAuthorization(write)
            .WithSummary("Assign a driver")
            .Accepts<DispatcherEndpoints.AssignDto>("application/json")
            .Produces<DeliveryView>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(413).ProducesProblem(415);
        deliveries.MapPost("/{id:guid}/cancel", DispatcherEndpoints.CancelAsync).WithName("CancelDelivery").RequireAuthorization(write)
            .WithSummary("Cancel a delivery")
            .WithDescription("201 with the status event; the same idempotency key again answers 200 with the same event.")
            .Accepts<DispatcherEndpoints.CancelDto>("application/json")
            .Produces<StatusEventView>(StatusCodes.Status201Created).Produces<StatusEventView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        deliveries.MapGet("/", DispatcherEndpoints.ListAsync).WithName("ListDeliveries").RequireAuthorization(read)
            .WithSummary("List deliveries in the order they last changed, a page at a time")
            .Produces<DeliveryPage>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        deliveries.MapGet("/{id:guid}", DispatcherEndpoints.GetAsync).WithName("GetDelivery").RequireAuthorization(read)
            .WithSummary("Read a delivery")
            .Produces<DeliveryView>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        deliveries.MapGet("/by-reference/{externalReference}", DispatcherEndpoints.ByReferenceAsync).WithName("GetDeliveryByReference").RequireAuthorization(read)
            .WithSummary("Read a delivery by the booking system's own reference")
            .Produces<DeliveryView>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        deliveries.MapGet("/{id:guid}/position", DispatcherEndpoints.PositionAsync).WithName("GetDeliveryPosition").RequireAuthorization(positions)
            .WithSummary("The truck's newest position while the delivery is open (204 when there is none)")
            .Produces<TruckPosition>().Produces(StatusCodes.Status204NoContent).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        deliveries.MapGet("/{id:guid}/trail", DispatcherEndpoints.TrailAsync).WithName("GetDeliveryTrail").RequireAuthorization(positions)
            .WithSummary("The delivery's trail since pickup")
            .Produces<DispatcherEndpoints.TrailView>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    public sealed record StatusChangeDto(
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("note")] string? Note,
        [property: JsonPropertyName("reason")] string? Reason,
        [property: JsonPropertyName("idempotencyKey")] string? IdempotencyKey);

    private static async Task<IResult> PostStatusAsync(Guid id, HttpContext http, DriverTokenCache drivers, DeliveryStatusService statuses,
        CancellationToken cancellationToken)
    {
        if (await DriverAsync(http, drivers, cancellationToken) is not { } driver) return Unauthorized(http);
        var body = await ApiJson.ReadAsync<StatusChangeDto>(http.Request, 16 * 1024, cancellationToken);
        if (body.Problem is { } problem) return problem;
        var dto = body.Value!;

        var errors = StatusValidation.Validate(dto.Status, dto.Note, dto.Reason, dto.IdempotencyKey, out var status);
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The status change is invalid");
        if (!DeliveryQueries.DriverMay(status))
            return Results.Problem(statusCode: 403, title: "Not a driver's status", detail: $"Only a dispatcher sets {status}.");

        var result = await statuses.ChangeAsync(
            new StatusChangeRequest(id, status, StatusActor.Driver(driver.DriverId), dto.IdempotencyKey!, dto.Note, dto.Reason), cancellationToken);
        return ToHttp(result, status);
    }

    internal static IResult ToHttp(StatusChangeResult result, DeliveryStatus requested) => result.Outcome switch
    {
        StatusChangeOutcome.Changed => Results.Json(result.Event, statusCode: StatusCodes.Status201Created),
        StatusChangeOutcome.Replayed => Results.Json(result.Event, statusCode: StatusCodes.Status200OK),
        StatusChangeOutcome.NotFound => Results.Problem(statusCode: 404, title: "Delivery not found"),
        StatusChangeOutcome.NotAssignedDriver => Results.Problem(statusCode: 403, title: "Not your delivery",
            detail: "Only the driver assigned to this delivery may change its status."),
        StatusChangeOutcome.InvalidTransition => Results.Problem(statusCode: 409, title: "Status change not allowed",
            detail: $"A delivery in status {result.Current} cannot move to {requested}.",
            extensions: new Dictionary<string, object?> { ["currentStatus"] = result.Current?.ToString(), ["requestedStatus"] = requested.ToString() }),
        StatusChangeOutcome.ReasonRequired => Results.ValidationProblem(
            new Dictionary<string, string[]> { ["reason"] = [$"is required for {requested}"] }, title: "The status change is invalid"),
        StatusChangeOutcome.KeyReused => Results.Problem(statusCode: 422, title: "Idempotency key reused",
            detail: "This idempotency key was already used for a different status; send a new key for a new change."),
        _ => Results.Problem(statusCode: 500),
    };

    private static async Task<IResult> GetCurrentAsync(HttpContext http, DriverTokenCache drivers, DeliveryQueries queries, CancellationToken cancellationToken)
    {
        if (await DriverAsync(http, drivers, cancellationToken) is not { } driver) return Unauthorized(http);
        var current = await queries.CurrentForDriverAsync(driver.DriverId, cancellationToken);
        return current is null ? Results.NoContent() : Results.Json(current);
    }

    private static async Task<DriverIdentity?> DriverAsync(HttpContext http, DriverTokenCache drivers, CancellationToken cancellationToken) =>
        BearerToken.From(http.Request) is { } token ? await drivers.FindAsync(token, cancellationToken) : null;

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: 401, title: "A valid driver token is required",
            detail: "Send the driver token as 'Authorization: Bearer <token>'.");
    }
}
